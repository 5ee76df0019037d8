import type { DetectionRule } from '../rule.js';
import t01 from './t01-hours.js';
import t04 from './t04-practical-daily-cap.js';
import t05 from './t05-teacher-double-booked.js';
import t06 from './t06-mixed-or-merged.js';
import t07 from './t07-attendance.js';
import t08 from './t08-video.js';
import t10 from './t10-basic-conditions.js';

/**
 * Every installed rule, one line each (a module adds its rule file and its line here). Rules of the
 * catalog not listed are reported by the engine as not evaluable, never as zero alerts.
 */
export const allRules: readonly DetectionRule<unknown>[] = [t01, t04, t05, t06, t07, t08, t10];
