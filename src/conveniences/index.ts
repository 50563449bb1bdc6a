/**
 * Conveniences: one-liners over the generated chains for what apps do most
 * (send, reply, edit, react, redact, join, leave, read state, set the profile).
 * Free functions that take the client, so a bundle keeps only those it calls and
 * the client object stays the chains alone.
 * @module
 */
export type { ClientWithApi, SendOptions } from './types.js';
export { sendMessage, sendText, sendNotice, sendHtml, reply, edit, react, redact, type SendHtmlOptions, type RedactOptions } from './messages.js';
export { joinRoom, leaveRoom, getState, type JoinRoomOptions, type LeaveRoomOptions, type StateTypeArg } from './rooms.js';
export { setDisplayName, setAvatarUrl, type ProfileOptions } from './profile.js';
