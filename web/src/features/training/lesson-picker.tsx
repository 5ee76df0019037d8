import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { type ClassDetail, fmtSpan, type Lesson } from './shared';

/** The lesson a tab looks at, kept in the URL (?lesson=) so a link opens the same view. */
export function useChosenLesson(
  cls: ClassDetail,
  filter: (l: Lesson) => boolean = () => true,
): [Lesson | undefined, (id: string) => void, Lesson[]] {
  const [params, setParams] = useSearchParams();
  const lessons = cls.lessons.filter(filter);
  const now = Date.now();
  // Default: the lesson running now, else the latest that has started, else the first.
  const fallback =
    lessons.find((l) => Date.parse(l.startsAt) <= now && now <= Date.parse(l.endsAt)) ??
    [...lessons].reverse().find((l) => Date.parse(l.startsAt) <= now) ??
    lessons[0];
  const chosen = lessons.find((l) => l.id === params.get('lesson')) ?? fallback;
  const choose = (id: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        next.set('lesson', id);
        return next;
      },
      { replace: true },
    );
  return [chosen, choose, lessons];
}

export function LessonPicker({
  lessons,
  value,
  onChange,
}: {
  lessons: Lesson[];
  value?: string;
  onChange: (id: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <Select
      data-testid="lesson-picker"
      style={{ width: '100%', maxWidth: 520 }}
      value={value}
      onChange={onChange}
      placeholder={t('training.attendance.chooseLesson')}
      options={lessons.map((l) => ({
        value: l.id,
        label: `${fmtSpan(l.startsAt, l.endsAt)} ${t(`training.lesson.modes.${l.mode}`)} ${l.topic}`,
      }))}
    />
  );
}
