/**
 * Content builders: pure functions that make the content of messages, replies,
 * threads, edits, reactions and mentions as the spec defines them. Each is its
 * own export, so a bundle keeps only those it uses.
 * @module
 */
export { text, notice, emote, html, HTML_FORMAT, type MessageOptions, type HtmlOptions } from './messages.js';
export { htmlToText } from './html-to-text.js';
export { withMentions } from './mentions.js';
export { replyTo, type ReplyContent } from './reply.js';
export { inThread, type ThreadOptions, type ThreadContent } from './thread.js';
export { replacement } from './replacement.js';
export { reaction } from './reaction.js';
export type {
  Mentions,
  InReplyTo,
  ReplyRelation,
  ThreadRelation,
  ReplaceRelation,
  AnnotationRelation,
  MessageExtras,
  TextContent,
  NoticeContent,
  EmoteContent,
  TextMsgtype,
  TextLikeContent,
  RoomMessageContent,
  ReplacementContent,
  ReactionContent,
  EventReference,
} from './types.js';
