import { z } from 'zod';

export const LoginRequestSchema = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
});

export const MeResponseSchema = z
  .object({
    userId: z.string().nullable(),
    displayName: z.string(),
    roles: z.array(z.string()),
    organizationId: z.string().nullable(),
    organizationKind: z.string().nullable(),
    organizationName: z.string().nullable(),
    regionCode: z.string().nullable(),
    personId: z.string().nullable(),
    scope: z.object({
      kind: z.string(),
      regionCode: z.string().optional(),
      organizationId: z.string().optional(),
      personId: z.string().optional(),
    }),
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof MeResponseSchema>;

export const ApiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.date(),
  /** Null only for a device's token (bound to one terminal or camera, revoked rather than expiring). */
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
});
