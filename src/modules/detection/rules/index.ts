import type { DetectionRule } from '../rule.js';
import c01 from './c01-uncertified-operators.js';
import c02 from './c02-manager-certificate.js';
import c03 from './c03-retraining-and-review.js';
import c04 from './c04-pre-job-training.js';
import c05 from './c05-in-house-trainers.js';
import c06 from './c06-plan-and-records.js';
import e01 from './e01-place-time.js';
import e02 from './e02-examiner-at-once.js';
import e03 from './e03-exam-staff.js';
import e04 from './e04-separation.js';
import e05 from './e05-practical-items.js';
import e06 from './e06-exam-video.js';
import e07 from './e07-equipment.js';
import e08 from './e08-suspicious-results.js';
import e09 from './e09-identity.js';
import t01 from './t01-hours.js';
import t02 from './t02-online-share.js';
import t03 from './t03-online-course-length.js';
import t04 from './t04-practical-daily-cap.js';
import t05 from './t05-teacher-double-booked.js';
import t06 from './t06-mixed-or-merged.js';
import t07 from './t07-attendance.js';
import t08 from './t08-video.js';
import t09 from './t09-teacher.js';
import t10 from './t10-basic-conditions.js';
import t11 from './t11-archive.js';

/**
 * Every installed rule, one line each (a module adds its rule file and its line here). Rules of the
 * catalog not listed are reported by the engine as not evaluable, never as zero alerts.
 */
export const allRules: readonly DetectionRule<unknown>[] = [
  t01,
  t02,
  t03,
  t04,
  t05,
  t06,
  t07,
  t08,
  t09,
  t10,
  t11,
  c01,
  c02,
  c03,
  c04,
  c05,
  c06,
  e01,
  e02,
  e03,
  e04,
  e05,
  e06,
  e07,
  e08,
  e09,
];
