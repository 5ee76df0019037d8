import { useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import type { z } from 'zod';
import type { StaffViewSchema } from '../../../../src/modules/registry/registry.contract.js';
import type { RoomSchema } from '../../../../src/modules/training/attendance.contract.js';
import { api } from '../../lib/api-client';

type Staff = z.infer<typeof StaffViewSchema>;
export type Room = z.infer<typeof RoomSchema>;

export interface Teacher {
  personId: string;
  name: string;
  duties: string[];
  practiceYears: number | null;
  operationItems: string[];
}

/** The institution's teachers and head teachers on duty today, one entry per person. */
export function useTeachers(organizationId: string | null | undefined) {
  return useQuery({
    queryKey: ['organization-staff', organizationId],
    enabled: !!organizationId,
    queryFn: () => api.get<{ items: Staff[] }>(`/api/organizations/${organizationId}/staff`),
    select: (data): Teacher[] => {
      const today = dayjs().format('YYYY-MM-DD');
      const byPerson = new Map<string, Teacher>();
      for (const s of data.items) {
        if (s.duty !== 'teacher' && s.duty !== 'head_teacher') continue;
        if (s.endDate && s.endDate < today) continue;
        const t = byPerson.get(s.personId) ?? {
          personId: s.personId,
          name: s.personName,
          duties: [],
          practiceYears: s.practiceYears,
          operationItems: [],
        };
        t.duties.push(s.duty);
        t.practiceYears = Math.max(t.practiceYears ?? 0, s.practiceYears ?? 0) || t.practiceYears;
        t.operationItems = [...new Set([...t.operationItems, ...s.operationItems])];
        byPerson.set(s.personId, t);
      }
      return [...byPerson.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
    },
  });
}

export function useRooms(organizationId: string | null | undefined) {
  return useQuery({
    queryKey: ['organization-rooms', organizationId],
    enabled: !!organizationId,
    queryFn: () => api.get<{ items: Room[] }>(`/api/organizations/${organizationId}/rooms`),
  });
}

/** "王教师 · 教师、班主任 · 从业 8 年 · 低压电工作业" — what a clerk needs to pick the right teacher. */
export function teacherLabel(
  t: (key: string, opts?: Record<string, unknown>) => string,
  teacher: Teacher,
  itemLabel: (code: string) => string,
): string {
  const parts = [teacher.name, teacher.duties.map((d) => t(`duty.${d}`)).join('、')];
  if (teacher.practiceYears !== null)
    parts.push(t('training.lesson.practiceYears', { count: teacher.practiceYears }));
  if (teacher.operationItems.length > 0)
    parts.push(teacher.operationItems.map(itemLabel).join('、'));
  return parts.join(' · ');
}
