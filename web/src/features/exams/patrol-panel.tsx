import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Empty,
  Input,
  List,
  Modal,
  Progress,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../lib/api-client';
import { errorText, fmt, ResultTag, type RunningSession } from './shared';

type Action = {
  sessionId: string;
  kind: 'observation' | 'warning' | 'cancel';
  registrationId?: string;
  name?: string;
};

/** 鹰眼巡考: sessions running in the jurisdiction, every candidate's progress, and the patrol log. */
export function PatrolPanel() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const running = useQuery({
    queryKey: ['patrol'],
    queryFn: () => api.get<{ items: RunningSession[] }>('/api/exams/patrol'),
    refetchInterval: 10_000,
  });
  const [action, setAction] = useState<Action | null>(null);
  const [note, setNote] = useState('');
  const record = useMutation({
    mutationFn: (a: Action & { note: string }) =>
      api.post(`/api/exams/sessions/${a.sessionId}/patrol`, {
        kind: a.kind,
        note: a.note,
        registrationId: a.registrationId,
      }),
    onSuccess: () => {
      setAction(null);
      setNote('');
      void qc.invalidateQueries({ queryKey: ['patrol'] });
    },
  });
  if (running.error) return <Alert type="error" showIcon message={errorText(running.error)} />;
  return (
    <>
      <List
        loading={running.isLoading}
        locale={{ emptyText: <Empty description={t('exams.noRunning')} /> }}
        dataSource={running.data?.items ?? []}
        renderItem={(s) => (
          <Card
            size="small"
            style={{ marginBottom: 12 }}
            title={`${s.planName} · ${s.siteName} ${s.room}`}
            extra={
              <Button
                size="small"
                onClick={() => setAction({ sessionId: s.id, kind: 'observation' })}
              >
                {t('exams.observe')}
              </Button>
            }
            data-testid="patrol-session"
          >
            <Typography.Text type="secondary">
              {fmt(s.startsAt)} – {fmt(s.endsAt).slice(-5)} · {s.itemName}
            </Typography.Text>
            <Table
              size="small"
              rowKey="registrationId"
              pagination={false}
              dataSource={s.candidates}
              scroll={{ x: true }}
              columns={[
                { title: t('exams.candidate'), dataIndex: 'name' },
                {
                  title: t('exams.statusLabel'),
                  render: (_, c) => (
                    <Tag color={c.status === 'checked_in' ? 'green' : 'blue'}>
                      {t(`exams.status.${c.status}`)}
                    </Tag>
                  ),
                },
                {
                  title: t('exams.theory'),
                  render: (_, c) =>
                    c.theoryState === 'not_started' ? (
                      t('exams.theoryState.not_started')
                    ) : (
                      <Progress
                        size="small"
                        percent={c.questions ? Math.round((c.answered / c.questions) * 100) : 0}
                        format={() => `${c.answered}/${c.questions}`}
                        status={c.theoryState === 'submitted' ? 'success' : 'active'}
                      />
                    ),
                },
                {
                  title: t('exams.resultLabel'),
                  render: (_, c) =>
                    c.cancelledReason ? (
                      <Tag color="volcano">{t('exams.result.cancelled')}</Tag>
                    ) : c.result ? (
                      <ResultTag result={c.result} />
                    ) : (
                      '—'
                    ),
                },
                {
                  title: '',
                  render: (_, c) =>
                    !c.cancelledReason && (
                      <Space>
                        <Button
                          size="small"
                          onClick={() =>
                            setAction({
                              sessionId: s.id,
                              kind: 'warning',
                              registrationId: c.registrationId,
                              name: c.name,
                            })
                          }
                        >
                          {t('exams.warn')}
                        </Button>
                        <Button
                          size="small"
                          danger
                          onClick={() =>
                            setAction({
                              sessionId: s.id,
                              kind: 'cancel',
                              registrationId: c.registrationId,
                              name: c.name,
                            })
                          }
                        >
                          {t('exams.cancelScore')}
                        </Button>
                      </Space>
                    ),
                },
              ]}
            />
            {s.events.length > 0 && (
              <Timeline
                style={{ marginTop: 12 }}
                items={s.events.map((e) => ({
                  color: e.kind === 'cancel' ? 'red' : e.kind === 'warning' ? 'orange' : 'blue',
                  children: `${fmt(e.at).slice(-5)} ${t(`exams.patrolKinds.${e.kind}`)} · ${e.note}（${e.recordedBy}）`,
                }))}
              />
            )}
          </Card>
        )}
      />
      <Modal
        open={!!action}
        title={
          action
            ? `${t(`exams.patrolKinds.${action.kind}`)}${action.name ? ` · ${action.name}` : ''}`
            : ''
        }
        onCancel={() => setAction(null)}
        okButtonProps={{ danger: action?.kind === 'cancel', disabled: !note.trim() }}
        confirmLoading={record.isPending}
        onOk={() => action && record.mutate({ ...action, note })}
      >
        {record.error && <Alert type="error" showIcon message={errorText(record.error)} />}
        <Input.TextArea
          rows={3}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder={t('exams.patrolNote')}
        />
      </Modal>
    </>
  );
}
