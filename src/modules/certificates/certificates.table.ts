import type { ColumnType, Generated, Insertable } from 'kysely';
import type {
  CertificateEventKind,
  CertificateKind,
  QueryOutcome,
} from './certificates.contract.js';

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

/**
 * One certificate as issued. What changes later (reviews, validity renewals, revocation,
 * cancellation, replacement cards) is in certificate_event; the state is computed from both.
 */
export interface CertificateTable {
  id: Generated<string>;
  number: string;
  kind: CertificateKind;
  personId: string;
  operationItemCode: string;
  authorityId: string;
  regionCode: string;
  issuedOn: DateString;
  /** The validity printed at issuance; renewals after a review are events. */
  validUntil: DateString;
  /** The signing key of the current card. */
  kid: string;
  /** The current card's signed QR payload (qr.ts). */
  qrPayload: string;
  cardEdition: Generated<number>;
  /** The exam result it was issued from (the exam module's id); one certificate per result. */
  resultRef: string | null;
  createdAt: Generated<Date>;
}
export type NewCertificateRow = Insertable<CertificateTable>;

export interface CertificateEventTable {
  id: Generated<string>;
  certificateId: string;
  kind: CertificateEventKind;
  occurredOn: DateString;
  /** review: the extended review interval was approved (≥ 10 years in the item, law-abiding). */
  extended: Generated<boolean>;
  /** revoke: for false information or fraud (the re-application ban follows). */
  fraud: Generated<boolean>;
  banUntil: DateString | null;
  reason: string | null;
  /** The card edition the event printed (replace, or a review that renewed the validity). */
  cardEdition: number | null;
  recordedBy: string;
  createdAt: Generated<Date>;
}
export type NewCertificateEventRow = Insertable<CertificateEventTable>;

export interface VerificationQueryTable {
  id: Generated<string>;
  at: Date;
  ip: string;
  source: 'number' | 'qr';
  number: string | null;
  found: boolean;
  outcome: QueryOutcome;
  /** The region a number belongs to, when it shows one (the ID number's area code, or ours in a "C" number). */
  numberRegion: string | null;
}
