import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_bundle_refs.js';
import * as m0003 from './0003_faces.js';
import * as m0004 from './0004_rooms_devices_attendance.js';
import * as m0005 from './0005_classes.js';
import * as m0006 from './0006_device_token_optional.js';
import * as m0007 from './0007_syllabus_versions.js';
import * as m0008 from './0008_certificates.js';
import * as m0009 from './0009_certificate_events.js';
import * as m0010 from './0010_exams.js';
import * as m0011 from './0011_face_vectors.js';
import * as m0012 from './0012_attendance_platform_face.js';
import * as m0013 from './0013_api_token_expiry.js';
import * as m0014 from './0014_person_link_confirmation.js';
import * as m0015 from './0015_audit_checkpoints.js';
import * as m0018 from './0018_demo_city.js';
import * as m0019 from './0019_registration_exemption.js';
import * as m0020 from './0020_class_seal_records.js';
import * as m0021 from './0021_detection.js';
import * as m0022 from './0022_detection_facts.js';
import * as m0025 from './0025_enterprises.js';
import * as m0030 from './0030_supervision.js';

/**
 * Every migration, in order. Listed explicitly (not discovered on disk) so the same list runs from
 * the TypeScript sources in tests and from dist/ in production. Migrations are frozen once landed.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_bundle_refs': m0002,
  '0003_faces': m0003,
  '0004_rooms_devices_attendance': m0004,
  '0005_classes': m0005,
  '0006_device_token_optional': m0006,
  '0007_syllabus_versions': m0007,
  '0008_certificates': m0008,
  '0009_certificate_events': m0009,
  '0010_exams': m0010,
  '0011_face_vectors': m0011,
  '0012_attendance_platform_face': m0012,
  '0013_api_token_expiry': m0013,
  '0014_person_link_confirmation': m0014,
  '0015_audit_checkpoints': m0015,
  '0018_demo_city': m0018,
  '0019_registration_exemption': m0019,
  '0020_class_seal_records': m0020,
  '0021_detection': m0021,
  '0022_detection_facts': m0022,
  '0025_enterprises': m0025,
  '0030_supervision': m0030,
};
