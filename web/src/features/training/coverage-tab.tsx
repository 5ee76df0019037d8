import { useQuery } from '@tanstack/react-query';
import { Alert, Progress, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../lib/api-client';
import { LessonPicker, useChosenLesson } from './lesson-picker';
import { type ClassDetail, type Coverage, errorText, fmtSpan } from './shared';
import { Timeline } from './timeline';

/** Video coverage of one offline lesson: the union of the room's recordings over the span, and the gaps. */
export function CoverageTab({ cls }: { cls: ClassDetail }) {
  const { t } = useTranslation();
  const [lesson, choose, lessons] = useChosenLesson(cls, (l) => l.mode !== 'online');
  const coverage = useQuery({
    queryKey: ['coverage', lesson?.id],
    enabled: lesson !== undefined,
    queryFn: () => api.get<Coverage>(`/api/lessons/${lesson!.id}/coverage`),
  });
  if (lessons.length === 0)
    return <Typography.Text type="secondary">{t('training.coverage.noLessons')}</Typography.Text>;
  const c = coverage.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <LessonPicker lessons={lessons} value={lesson?.id} onChange={choose} />
      {coverage.error && <Alert type="error" message={errorText(coverage.error)} />}
      {c && (
        <>
          <Typography.Text>
            {t('training.coverage.coveredOf', {
              covered: Math.round(c.coveredMinutes),
              total: Math.round(c.lessonMinutes),
            })}
          </Typography.Text>
          <Progress
            percent={Math.round((c.coveredMinutes / Math.max(c.lessonMinutes, 1)) * 100)}
            status={c.gaps.length > 0 ? 'exception' : 'success'}
          />
          <Timeline
            from={c.startsAt}
            to={c.endsAt}
            tracks={[
              {
                label: t('training.coverage.title'),
                background: '#ff7875',
                segments: c.covered.map((i) => ({ ...i, color: '#73d13d' })),
              },
            ]}
          />
          <Space size="large">
            <span style={{ color: '#389e0d' }}>■ {t('training.coverage.covered')}</span>
            <span style={{ color: '#cf1322' }}>■ {t('training.coverage.gap')}</span>
          </Space>
          {c.gaps.length > 0 && (
            <Alert type="warning" message={c.gaps.map((g) => fmtSpan(g.from, g.to)).join('；')} />
          )}
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            scroll={{ x: true }}
            locale={{ emptyText: t('training.coverage.noRecordings') }}
            dataSource={c.recordings}
            columns={[
              { title: t('training.coverage.device'), dataIndex: 'deviceName' },
              { title: t('training.lesson.time'), render: (_, r) => fmtSpan(r.startsAt, r.endsAt) },
              {
                title: t('training.coverage.sha256'),
                render: (_, r) => (
                  <Typography.Text
                    code
                    copyable={{ text: r.sha256 }}
                  >{`${r.sha256.slice(0, 12)}…`}</Typography.Text>
                ),
              },
              { title: t('training.coverage.storage'), dataIndex: 'storageUri' },
            ]}
          />
        </>
      )}
    </Space>
  );
}
