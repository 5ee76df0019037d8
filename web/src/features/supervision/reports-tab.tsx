import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  DatePicker,
  Descriptions,
  Drawer,
  Input,
  List,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hasAnyRole, useAuth } from '../../app/auth';
import { api } from '../../lib/api-client';
import { FileList } from './order-page';
import { beijingToday, errorText, fmtTime } from './shared';

interface Report {
  id: string;
  regionCode: string;
  subjectText: string;
  subjectOrganizationId: string | null;
  category: string;
  content: string;
  status: string;
  createdAt: string;
  triageNote: string | null;
  reply: string | null;
  isHandler: boolean;
  reporter: { anonymous: boolean; name: string | null; phone: string | null };
}
interface ReportDetail extends Report {
  messages: { id: string; author: 'officer' | 'reporter'; body: string; createdAt: string }[];
  files: { id: string; name: string | null }[];
  assignee: { id: string; displayName: string } | null;
}

const statusColor: Record<string, string> = {
  received: 'red',
  triaged: 'orange',
  assigned: 'blue',
  investigating: 'processing',
  replied: 'cyan',
  closed: 'default',
};

/** 12350 reports: triage, assignment, investigation (an inspection), reply, messages, closure. */
export function ReportsTab() {
  const { t } = useTranslation();
  const [open, setOpen] = useState<string | null>(null);
  const q = useQuery({
    queryKey: ['sv-reports'],
    queryFn: () => api.get<Report[]>('/api/supervision/reports'),
  });
  return (
    <>
      <Table
        rowKey="id"
        size="small"
        loading={q.isLoading}
        dataSource={q.data ?? []}
        scroll={{ x: 'max-content' }}
        onRow={(r) => ({ onClick: () => setOpen(r.id), style: { cursor: 'pointer' } })}
        columns={[
          {
            title: t('sv.report.filedAt'),
            dataIndex: 'createdAt',
            render: (v: string) => fmtTime(v),
          },
          {
            title: t('org.status'),
            dataIndex: 'status',
            render: (s: string) => <Tag color={statusColor[s]}>{t(`sv.report.statuses.${s}`)}</Tag>,
          },
          {
            title: t('sv.report.category'),
            dataIndex: 'category',
            render: (c: string) => t(`sv.report.categories.${c}`),
          },
          { title: t('sv.report.subject'), dataIndex: 'subjectText' },
          { title: t('sv.report.content'), dataIndex: 'content', ellipsis: true, width: 320 },
        ]}
      />
      {open && <ReportDrawer id={open} onClose={() => setOpen(null)} />}
    </>
  );
}

function ReportDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const [assignee, setAssignee] = useState<string | undefined>();
  const [team, setTeam] = useState<string[]>([]);
  const [day, setDay] = useState(dayjs(beijingToday()).add(1, 'day'));
  const q = useQuery({
    queryKey: ['sv-report', id],
    queryFn: () => api.get<ReportDetail>(`/api/supervision/reports/${id}`),
  });
  const inspectors = useQuery({
    queryKey: ['sv-inspectors'],
    queryFn: () =>
      api.get<{ personId: string; name: string; userId: string | null }[]>(
        '/api/supervision/inspectors',
      ),
  });
  const act = useMutation({
    mutationFn: ({ path, body }: { path: string; body: unknown }) =>
      api.post(`/api/supervision/reports/${id}/${path}`, body),
    onSuccess: () => {
      setText('');
      void qc.invalidateQueries({ queryKey: ['sv-report', id] });
      void qc.invalidateQueries({ queryKey: ['sv-reports'] });
    },
    onError: (e) => message.error(errorText(e)),
  });
  const r = q.data;
  const regulator = hasAnyRole(me!, 'regulator');
  const send = (path: string, body: unknown) => act.mutate({ path, body });
  return (
    <Drawer
      open
      onClose={onClose}
      width={Math.min(640, window.innerWidth)}
      title={r?.subjectText}
      destroyOnClose
    >
      {r && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('org.status')}>
              <Tag color={statusColor[r.status]}>{t(`sv.report.statuses.${r.status}`)}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('sv.report.category')}>
              {t(`sv.report.categories.${r.category}`)}
            </Descriptions.Item>
            <Descriptions.Item label={t('sv.report.content')}>{r.content}</Descriptions.Item>
            <Descriptions.Item label={t('sv.report.reporter')}>
              {r.reporter.anonymous
                ? t('sv.report.anonymousReporter')
                : `${r.reporter.name ?? ''} ${r.reporter.phone ?? ''}`}
            </Descriptions.Item>
            <Descriptions.Item label={t('sv.report.handler')}>
              {r.assignee?.displayName ?? '—'}
            </Descriptions.Item>
            {r.files.length > 0 && (
              <Descriptions.Item label={t('sv.report.attachments')}>
                <FileList files={r.files} />
              </Descriptions.Item>
            )}
            {r.reply && (
              <Descriptions.Item label={t('sv.report.reply')}>{r.reply}</Descriptions.Item>
            )}
          </Descriptions>
          <List
            header={t('sv.report.messages')}
            size="small"
            dataSource={r.messages}
            renderItem={(m) => (
              <List.Item>
                <Typography.Text type="secondary">
                  {t(`sv.report.author.${m.author}`)} {fmtTime(m.createdAt)}
                </Typography.Text>
                ：{m.body}
              </List.Item>
            )}
          />
          <Input.TextArea
            value={text}
            onChange={(e) => setText(e.target.value)}
            autoSize={{ minRows: 2 }}
          />
          <Space wrap>
            {regulator && ['received', 'triaged'].includes(r.status) && (
              <Button disabled={!text.trim()} onClick={() => send('triage', { note: text.trim() })}>
                {t('sv.report.triage')}
              </Button>
            )}
            {r.isHandler && r.status !== 'closed' && (
              <Button
                disabled={!text.trim()}
                onClick={() => send('messages', { body: text.trim() })}
              >
                {t('sv.report.message')}
              </Button>
            )}
            {r.isHandler && ['assigned', 'investigating', 'replied'].includes(r.status) && (
              <Button
                type="primary"
                disabled={text.trim().length < 2}
                onClick={() => send('reply', { reply: text.trim() })}
              >
                {t('sv.report.reply')}
              </Button>
            )}
            {r.status === 'replied' && (
              <Button onClick={() => send('close', {})}>{t('sv.report.close')}</Button>
            )}
          </Space>
          {regulator && ['received', 'triaged', 'assigned'].includes(r.status) && (
            <Space wrap>
              <Select
                style={{ minWidth: 200 }}
                placeholder={t('sv.report.handler')}
                value={assignee}
                onChange={setAssignee}
                options={(inspectors.data ?? [])
                  .filter((i) => i.userId)
                  .map((i) => ({ value: i.userId!, label: i.name }))}
              />
              <Button disabled={!assignee} onClick={() => send('assign', { userId: assignee })}>
                {t('sv.report.assign')}
              </Button>
            </Space>
          )}
          {regulator &&
            r.subjectOrganizationId &&
            ['assigned', 'investigating'].includes(r.status) && (
              <Space wrap>
                <Select
                  mode="multiple"
                  style={{ minWidth: 240 }}
                  placeholder={t('sv.inspectors')}
                  value={team}
                  onChange={setTeam}
                  options={(inspectors.data ?? []).map((i) => ({
                    value: i.personId,
                    label: i.name,
                  }))}
                />
                <DatePicker value={day} onChange={(d) => d && setDay(d)} />
                <Button
                  disabled={team.length === 0}
                  onClick={() =>
                    send('investigate', {
                      organizationId: r.subjectOrganizationId,
                      scheduledOn: day.format('YYYY-MM-DD'),
                      inspectorPersonIds: team,
                    })
                  }
                >
                  {t('sv.report.investigate')}
                </Button>
              </Space>
            )}
        </Space>
      )}
    </Drawer>
  );
}
