import { z } from 'zod';

/** Development default of CERT_KEY_SECRET; never use it in production. */
export const DEV_CERT_KEY_SECRET = 'zhenxun-development-only-certificate-key-secret';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Demo mode: the generated 泰安市 city and its accounts on an empty database, `GET /api/demo/accounts`,
   * development secrets allowed. Default: on for the embedded database (the README's `npm start`), off
   * with DATABASE_URL. Set `true` or `false` to choose.
   */
  DEMO_MODE: z.enum(['true', 'false']).optional(),
  /**
   * Session cookies get the Secure flag (sent over HTTPS only; browsers accept them from
   * http://localhost too). Default: on, except in demo mode.
   */
  COOKIE_SECURE: z.enum(['true', 'false']).optional(),
  /**
   * Behind a reverse proxy, the client's address is the X-Forwarded-For the proxy sets: the public
   * verification rate limit and the fake-certificate signal count per client, not per proxy.
   */
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  SESSION_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  DEMO_SEED: z.coerce.number().int().default(20241012),
  /** Files (evidence photos, documents) go to DATA_DIR/files unless FILES_DIR says, or to a bucket with S3_*. */
  FILES_DIR: z.string().optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_PREFIX: z.string().optional(),
  /**
   * The demo city's "today" (YYYY-MM-DD) when it is first loaded; by default the Beijing date of the
   * first start. The city is placed around it and the date is stored with it.
   */
  DEMO_ANCHOR: z.iso.date().optional(),
  /**
   * Encrypts the exam authorities' Ed25519 private signing keys at rest (AES-256-GCM, key derived with
   * scrypt). The default is for development only: a deployment MUST set its own long random secret and
   * keep it (keys encrypted under one secret cannot be opened with another; rotating the secret means
   * rotating every authority's signing key). docs/certificates.md.
   */
  CERT_KEY_SECRET: z.string().min(16, 'at least 16 characters').default(DEV_CERT_KEY_SECRET),
  /**
   * The Ed25519 key that signs the audit log's checkpoints (docs/security.md): a 32-byte seed in
   * base64url/hex or a PKCS#8 PEM (`npx zhenxun audit keygen`), in the variable or in the file
   * AUDIT_CHECKPOINT_KEY_FILE. Never stored in the database. Default: a development key, demo only.
   */
  AUDIT_CHECKPOINT_KEY: z.string().optional(),
  AUDIT_CHECKPOINT_KEY_FILE: z.string().optional(),
  /** Seconds between checkpoints of the audit log's head (at most a minute). */
  AUDIT_CHECKPOINT_SECONDS: z.coerce.number().int().min(1).max(60).default(60),
});

type Env = z.infer<typeof EnvSchema>;
export type Config = Omit<Env, 'DEMO_MODE' | 'COOKIE_SECURE'> & {
  DEMO_MODE: boolean;
  COOKIE_SECURE: boolean;
};

/** Parses the environment once; exits with the list of bad variables rather than starting half-configured. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    process.stderr.write(`Invalid environment:\n${lines.join('\n')}\n`);
    process.exit(1);
  }
  const demo =
    parsed.data.DEMO_MODE !== undefined
      ? parsed.data.DEMO_MODE === 'true'
      : parsed.data.DATABASE_URL === undefined;
  return {
    ...parsed.data,
    DEMO_MODE: demo,
    COOKIE_SECURE:
      parsed.data.COOKIE_SECURE !== undefined ? parsed.data.COOKIE_SECURE === 'true' : !demo,
  };
}

/** The one variable the certificate service needs, read without exiting on unrelated bad variables. */
export function certificateKeySecret(env: NodeJS.ProcessEnv = process.env): string {
  const parsed = EnvSchema.shape.CERT_KEY_SECRET.safeParse(env.CERT_KEY_SECRET);
  if (!parsed.success)
    throw new Error(`CERT_KEY_SECRET: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
