/**
 * The one capability model. A link's token resolves to what it grants: `edit` (the invite link:
 * change the session) or `view` (the watch link: follow it). Every route, socket handshake and
 * command states what it needs; `grants` is the only place that decides. A watch link never grants
 * an edit route: it gets a 404 there, as an unknown link would, so it learns nothing about the
 * session it does not already have.
 */
export type LinkKind = 'edit' | 'view';

/** What an entry point needs: an edit link, a watch link only, or either of the two. */
export type Need = 'edit' | 'view' | 'either';

export function grants(kind: LinkKind, need: Need): boolean {
  switch (need) {
    case 'edit':
      return kind === 'edit';
    case 'view':
      return kind === 'view';
    case 'either':
      return true;
    default:
      return assertNever(need);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected need ${String(x)}`);
}
