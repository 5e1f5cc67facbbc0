import { z } from 'zod';

/** A stored ConversationAddress (src/domain/conversation.ts), read back from JSON: one schema for every table that keeps one. */
export const conversationAddressSchema = z.object({
  channelId: z.string(),
  serviceUrl: z.string(),
  conversationId: z.string(),
  tenantId: z.string(),
  userId: z.string(),
  aadObjectId: z.string(),
  userName: z.string().optional(),
  botId: z.string(),
  botName: z.string().optional(),
});
