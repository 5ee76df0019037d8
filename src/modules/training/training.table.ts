import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface RoomTable {
  id: Generated<string>;
  organizationId: string;
  regionCode: string;
  name: string;
  kind: 'theory' | 'practical' | 'exam';
  capacity: number | null;
  areaM2: number | null;
  createdAt: Timestamp;
}

export interface DeviceTable {
  id: Generated<string>;
  organizationId: string;
  roomId: string;
  regionCode: string;
  kind: 'face_terminal' | 'camera';
  serial: string;
  name: string;
  /** The API token the device authenticates with: bound to this device, its room and institution (none yet for a device imported by bundle). */
  tokenId: string | null;
  createdAt: Timestamp;
}

export interface AttendanceEventTable {
  id: Generated<string>;
  deviceId: string;
  deviceEventId: string;
  organizationId: string;
  roomId: string;
  regionCode: string;
  personId: string;
  eventType: 'check_in' | 'check_out' | 'random_check';
  occurredAt: Timestamp;
  receivedAt: Timestamp;
  matchScore: number | null;
  liveness: number | null;
  photoRef: string | null;
  /** The platform's own verification of the frame the terminal sent with the event, if it sent one. */
  faceVerificationId: ColumnType<string | null, string | null | undefined, string | null>;
}
