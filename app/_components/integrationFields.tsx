import { INTEGRATION_LIMITS } from '../../lib/protocol/integrations';

/** The optional name every integration form asks for (webhook endpoints and chat destinations). */
export function IntegrationLabelField({ placeholder }: { placeholder: string }) {
  return (
    <label>
      <span>
        Name <span className="muted">(optional)</span>
      </span>
      <input name="label" maxLength={INTEGRATION_LIMITS.label} autoComplete="off" placeholder={placeholder} />
    </label>
  );
}

/** A setup form's error, announced. */
export function IntegrationError({ error }: { error: string | null }) {
  return error ? (
    <p role="alert" className="error small">
      {error}
    </p>
  ) : null;
}
