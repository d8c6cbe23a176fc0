'use client';

import { splitSeconds } from './durationView';

/** A length as minutes and seconds (two number fields in one group); parseDuration reads them back. */
export function DurationField({ legend, name, seconds }: { legend: string; name: string; seconds: number }) {
  const { minutes, seconds: s } = splitSeconds(seconds);
  return (
    <fieldset className="duration">
      <legend>{legend}</legend>
      <label>
        <input name={`${name}Minutes`} type="number" inputMode="numeric" min="0" max="240" step="1" defaultValue={minutes} />
        <span>
          <span className="sr-only">{legend}: </span>min
        </span>
      </label>
      <label>
        <input name={`${name}Seconds`} type="number" inputMode="numeric" min="0" max="59" step="1" defaultValue={s} />
        <span>
          <span className="sr-only">{legend}: </span>sec
        </span>
      </label>
    </fieldset>
  );
}
