import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Form,
  Input,
  List,
  Modal,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../lib/api-client';
import { useIsPhone } from '../../lib/use-media';
import { LessonPicker, useChosenLesson } from './lesson-picker';
import {
  type ClassDetail,
  errorText,
  fmtTime,
  type LessonRoster,
  MakeupTag,
  type RosterEntry,
  rosterStatusColor,
} from './shared';

/**
 * The head teacher's live roster for one lesson: who is in, who left, who is missing, whose face did
 * not match — refreshed every 10 s while the lesson runs — and the make-up entry that needs a reason.
 */
export function AttendanceTab({ cls, canEdit }: { cls: ClassDetail; canEdit: boolean }) {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const [lesson, choose, lessons] = useChosenLesson(cls);
  const [makeupFor, setMakeupFor] = useState<RosterEntry | null>(null);
  const running = lesson
    ? Date.now() >= Date.parse(lesson.startsAt) - 30 * 60_000 &&
      Date.now() <= Date.parse(lesson.endsAt) + 30 * 60_000
    : false;
  const roster = useQuery({
    queryKey: ['roster', lesson?.id],
    enabled: lesson !== undefined && lesson.mode !== 'online',
    queryFn: () => api.get<LessonRoster>(`/api/lessons/${lesson!.id}/roster`),
    refetchInterval: running ? 10_000 : false,
  });
  if (lessons.length === 0)
    return <Typography.Text type="secondary">{t('training.attendance.noLessons')}</Typography.Text>;
  const status = (r: RosterEntry) => (
    <Space size={4}>
      <Tag color={rosterStatusColor[r.status]}>{t(`training.attendance.statuses.${r.status}`)}</Tag>
      {r.status === 'makeup' && <MakeupTag reason={r.makeupReason} />}
    </Space>
  );
  const makeupButton = (r: RosterEntry) =>
    canEdit &&
    (r.status === 'absent' || r.status === 'face_failed') &&
    lesson &&
    Date.parse(lesson.startsAt) <= Date.now() ? (
      <Button size="small" onClick={() => setMakeupFor(r)}>
        {t('training.attendance.makeup')}
      </Button>
    ) : null;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <LessonPicker lessons={lessons} value={lesson?.id} onChange={choose} />
      {lesson?.mode === 'online' && (
        <Alert type="info" message={t('training.attendance.onlineLesson')} />
      )}
      {roster.error && <Alert type="error" message={errorText(roster.error)} />}
      {roster.data && (
        <>
          <Space wrap size="large">
            <Statistic title={t('training.attendance.total')} value={roster.data.summary.total} />
            <Statistic
              title={t('training.attendance.statuses.present')}
              value={roster.data.summary.present}
              valueStyle={{ color: '#389e0d' }}
            />
            <Statistic
              title={t('training.attendance.statuses.left')}
              value={roster.data.summary.left}
            />
            <Statistic
              title={t('training.attendance.statuses.absent')}
              value={roster.data.summary.absent}
              valueStyle={{ color: '#cf1322' }}
            />
            <Statistic
              title={t('training.attendance.statuses.face_failed')}
              value={roster.data.summary.faceFailed}
              valueStyle={{ color: '#d4380d' }}
            />
            <Statistic
              title={t('training.attendance.statuses.makeup')}
              value={roster.data.summary.makeup}
              valueStyle={{ color: '#d48806' }}
            />
          </Space>
          <Typography.Text type="secondary">
            {running ? t('training.attendance.live') : t('training.attendance.notRunning')}
          </Typography.Text>
          {isPhone ? (
            <List
              size="small"
              dataSource={roster.data.items}
              renderItem={(r) => (
                <List.Item data-testid="roster-row" data-status={r.status} extra={makeupButton(r)}>
                  <Space direction="vertical" size={0}>
                    <Space>
                      <strong>{r.name}</strong>
                      {status(r)}
                    </Space>
                    <Typography.Text type="secondary">{`${t('training.attendance.firstIn')} ${fmtTime(r.firstIn)} · ${t('training.attendance.lastOut')} ${fmtTime(r.lastOut)}`}</Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
          ) : (
            <Table
              size="small"
              rowKey="personId"
              pagination={false}
              dataSource={roster.data.items}
              onRow={(r) =>
                ({
                  'data-testid': 'roster-row',
                  'data-status': r.status,
                }) as React.HTMLAttributes<HTMLElement>
              }
              columns={[
                { title: t('training.ledger.name'), dataIndex: 'name' },
                { title: t('training.attendance.status'), render: (_, r) => status(r) },
                { title: t('training.attendance.firstIn'), render: (_, r) => fmtTime(r.firstIn) },
                { title: t('training.attendance.lastOut'), render: (_, r) => fmtTime(r.lastOut) },
                {
                  title: t('training.attendance.score'),
                  render: (_, r) => (r.lastMatchScore === null ? '—' : r.lastMatchScore.toFixed(2)),
                },
                { title: t('training.attendance.events'), dataIndex: 'events' },
                { title: '', render: (_, r) => makeupButton(r) },
              ]}
            />
          )}
        </>
      )}
      {makeupFor && lesson && (
        <MakeupDialog lessonId={lesson.id} entry={makeupFor} onClose={() => setMakeupFor(null)} />
      )}
    </Space>
  );
}

function MakeupDialog({
  lessonId,
  entry,
  onClose,
}: {
  lessonId: string;
  entry: RosterEntry;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ reason: string }>();
  const save = useMutation({
    mutationFn: (v: { reason: string }) =>
      api.post(`/api/lessons/${lessonId}/makeups`, { personId: entry.personId, reason: v.reason }),
    onSuccess: () => {
      message.success(t('training.attendance.makeupDone'));
      qc.invalidateQueries({ queryKey: ['roster', lessonId] });
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t('training.attendance.makeupTitle', { name: entry.name })}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
    >
      <Alert
        type="warning"
        showIcon
        message={t('training.attendance.reasonHint')}
        style={{ marginBottom: 12 }}
      />
      {save.error && (
        <Alert type="error" message={errorText(save.error)} style={{ marginBottom: 12 }} />
      )}
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
        <Form.Item
          name="reason"
          label={t('training.attendance.reason')}
          rules={[
            {
              required: true,
              min: 4,
              whitespace: true,
              message: t('training.attendance.reasonMin'),
            },
          ]}
        >
          <Input.TextArea rows={3} data-testid="makeup-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
