import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateString = ColumnType<string, string, string>;

export interface AuthorityKeyTable {
  kid: string;
  organizationId: string;
  /** Raw 32-byte Ed25519 public key, base64url. */
  publicKey: string;
  /** PKCS#8 private key, AES-256-GCM encrypted with CERT_KEY_SECRET; never leaves the service. */
  privateKeyEnc: string;
  createdAt: Timestamp;
  retiredAt: Date | null;
}

export interface CertificateTable {
  id: Generated<string>;
  number: string;
  kind: 'special_operation' | 'competency';
  personId: string;
  operationItemCode: string;
  authorityId: string;
  regionCode: string;
  issuedOn: DateString;
  validUntil: DateString;
  reviewDue: DateString | null;
  kid: string;
  qrPayload: string;
  revokedOn: DateString | null;
  revokeReason: string | null;
  banUntil: DateString | null;
  cancelledOn: DateString | null;
  createdAt: Timestamp;
}

export interface VerificationQueryTable {
  id: Generated<string>;
  at: Date;
  ip: string;
  source: 'number' | 'qr';
  number: string | null;
  found: boolean;
}
