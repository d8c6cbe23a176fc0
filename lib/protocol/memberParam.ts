/**
 * The query parameter that carries a browser's member token on its WebSocket (`?member=`). Its own
 * module, free of zod, so the page can name it without loading the join payload's schema.
 */
export const MEMBER_PARAM = 'member';
