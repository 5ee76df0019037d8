import { CameraOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Input,
  InputNumber,
  List,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { exams } from '../../../../src/catalog/figures.js';
import { hasAnyRole, useAuth } from '../../app/auth';
import { api } from '../../lib/api-client';
import { CameraModal } from '../faces/face-panel';
import { errorText, fmt, type Registration, ResultTag, StatusTag } from './shared';

/** One exam session: the check-in desk and practical scoring (exam site), results and certificates (authority). */
export function SessionPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { me } = useAuth();
  const list = useQuery({
    queryKey: ['session-candidates', id],
    queryFn: () => api.get<{ items: Registration[] }>(`/api/exams/sessions/${id}/candidates`),
    refetchInterval: 15_000,
  });
  const items = (list.data?.items ?? []).filter((r) => r.status !== 'withdrawn');
  const first = items[0];
  const site = hasAnyRole(me, 'exam_site');
  const tabs = [];
  if (site)
    tabs.push({
      key: 'checkin',
      label: t('exams.checkinDesk'),
      children: <CheckInDesk items={items} />,
    });
  if (site && first?.certificateKind === 'special_operation')
    tabs.push({
      key: 'practical',
      label: t('exams.practicalScoring'),
      children: <PracticalScoring items={items} />,
    });
  tabs.push({
    key: 'results',
    label: t('exams.results'),
    children: <Results sessionId={id} items={items} />,
  });
  return (
    <Card
      title={first ? `${first.planName} · ${first.siteName} ${first.room}` : t('exams.session')}
      extra={<Link to="/exams">{t('exams.back')}</Link>}
    >
      {list.error && <Alert type="error" showIcon message={errorText(list.error)} />}
      {first && (
        <Descriptions size="small" column={{ xs: 1, sm: 2 }} style={{ marginBottom: 12 }}>
          <Descriptions.Item label={t('exams.item')}>{first.itemName}</Descriptions.Item>
          <Descriptions.Item label={t('exams.time')}>
            {fmt(first.startsAt)} – {fmt(first.endsAt).slice(-5)}
          </Descriptions.Item>
        </Descriptions>
      )}
      {!list.isLoading && items.length === 0 ? (
        <Empty description={t('exams.noCandidates')} />
      ) : (
        <Tabs items={tabs} destroyOnHidden />
      )}
    </Card>
  );
}

function CheckInDesk({ items }: { items: Registration[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [camera, setCamera] = useState<Registration | null>(null);
  const [override, setOverride] = useState<Registration | null>(null);
  const [reason, setReason] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: ['session-candidates'] });
  const checkIn = useMutation({
    mutationFn: (v: { r: Registration; image: string }) =>
      api.post<{ checkedIn: boolean; message: string }>(
        `/api/exams/registrations/${v.r.id}/check-in`,
        { image: v.image },
      ),
    onSuccess: (res) => {
      setCamera(null);
      (res.checkedIn ? message.success : message.error)(res.message);
      void refresh();
    },
    onError: (e) => message.error(errorText(e)),
  });
  const allow = useMutation({
    mutationFn: (v: { r: Registration; reason: string }) =>
      api.post(`/api/exams/registrations/${v.r.id}/check-in/override`, { reason: v.reason }),
    onSuccess: () => {
      setOverride(null);
      setReason('');
      void refresh();
    },
  });
  // After the session, and certainly once its results are out, the desk is closed (the server refuses too).
  const closed = items.some((r) => r.published)
    ? t('exams.checkinClosedPublished')
    : items[0] && Date.now() > Date.parse(items[0].endsAt)
      ? t('exams.checkinClosedEnded')
      : null;
  return (
    <>
      {closed && (
        <Alert
          type="info"
          showIcon
          message={closed}
          style={{ marginBottom: 12 }}
          data-testid="checkin-closed"
        />
      )}
      <List
        dataSource={items}
        renderItem={(r) => (
          <List.Item
            data-testid="checkin-row"
            data-name={r.name}
            actions={
              r.status === 'registered' && !closed
                ? [
                    <Button
                      key="face"
                      type="primary"
                      icon={<CameraOutlined />}
                      onClick={() => setCamera(r)}
                      data-testid="checkin-face"
                    >
                      {t('exams.faceCheckIn')}
                    </Button>,
                    r.checkinDecision &&
                      r.checkinDecision !== 'match' &&
                      r.checkinDecision !== 'refused' && (
                        <Button key="override" danger onClick={() => setOverride(r)}>
                          {t('exams.override')}
                        </Button>
                      ),
                  ]
                : []
            }
          >
            <List.Item.Meta
              title={
                <Space>
                  {r.name}
                  <StatusTag r={r} />
                </Space>
              }
              description={
                r.overrideReason
                  ? `${t('exams.overridden')}：${r.overrideReason}`
                  : r.checkedInAt
                    ? fmt(r.checkedInAt)
                    : null
              }
            />
          </List.Item>
        )}
      />
      {camera && (
        <CameraModal
          title={`${t('exams.faceCheckIn')} · ${camera.name}`}
          busy={checkIn.isPending}
          onClose={() => setCamera(null)}
          onCapture={(image) => checkIn.mutate({ r: camera, image })}
        />
      )}
      <Modal
        open={!!override}
        title={`${t('exams.override')} · ${override?.name ?? ''}`}
        onCancel={() => setOverride(null)}
        okButtonProps={{ danger: true, disabled: !reason.trim() }}
        confirmLoading={allow.isPending}
        onOk={() => override && allow.mutate({ r: override, reason })}
      >
        <Alert
          type="warning"
          showIcon
          message={t('exams.overrideHint')}
          style={{ marginBottom: 12 }}
        />
        {allow.error && <Alert type="error" showIcon message={errorText(allow.error)} />}
        <Input.TextArea
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder={t('exams.overrideReason')}
        />
      </Modal>
    </>
  );
}

function PracticalScoring({ items }: { items: Registration[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [points, setPoints] = useState<Record<string, number | null>>({});
  const [veto, setVeto] = useState<Record<string, string | undefined>>({});
  const ready = items.filter(
    (r) =>
      r.status === 'checked_in' &&
      !r.cancelledReason &&
      (r.theoryState === 'carried' || (r.theoryScore ?? 0) >= exams.passMark.value),
  );
  const act = useMutation({
    mutationFn: (v: { r: Registration; subject: string; score?: boolean }) =>
      v.score
        ? api.post(`/api/exams/registrations/${v.r.id}/practical/${v.subject}/score`, {
            points: points[`${v.r.id}${v.subject}`] ?? 0,
            vetoItem: veto[`${v.r.id}${v.subject}`] ?? null,
          })
        : api.post(`/api/exams/registrations/${v.r.id}/practical/${v.subject}/start`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['session-candidates'] }),
    onError: (e) => message.error(errorText(e)),
  });
  if (ready.length === 0) return <Empty description={t('exams.noneForPractical')} />;
  return (
    <List
      dataSource={ready}
      renderItem={(r) => (
        <Card
          size="small"
          title={r.name}
          style={{ marginBottom: 12 }}
          extra={
            r.practicalScore !== null && (
              <Tag color={r.result === 'pass' ? 'green' : 'red'}>{r.practicalScore}</Tag>
            )
          }
          data-testid="practical-card"
          data-name={r.name}
        >
          {r.practical.map((p) => {
            const key = `${r.id}${p.subjectCode}`;
            return (
              <Space
                key={p.subjectCode}
                wrap
                style={{ display: 'flex', marginBottom: 8 }}
                data-testid="practical-subject"
                data-subject={p.subjectCode}
              >
                <Typography.Text strong>
                  {p.subjectCode} {p.subjectName}（{p.weight}）
                </Typography.Text>
                <Typography.Text type="secondary">{p.taskName}</Typography.Text>
                {p.state === 'scored' ? (
                  <Tag color={p.vetoItem ? 'red' : 'green'}>
                    {p.points}
                    {p.vetoItem ? ` · ${t('exams.veto')}：${p.vetoItem}` : ''}
                  </Tag>
                ) : p.state === 'waiting' ? (
                  <Button
                    size="small"
                    onClick={() => act.mutate({ r, subject: p.subjectCode })}
                    data-testid="practical-start"
                  >
                    {t('exams.startScoring')}
                  </Button>
                ) : (
                  <>
                    <InputNumber
                      size="small"
                      min={0}
                      max={p.weight}
                      value={points[key] ?? null}
                      onChange={(v) => setPoints((x) => ({ ...x, [key]: v }))}
                      data-testid="practical-points"
                    />
                    <Select
                      size="small"
                      allowClear
                      placeholder={t('exams.veto')}
                      style={{ width: 200 }}
                      value={veto[key]}
                      onChange={(v) => setVeto((x) => ({ ...x, [key]: v }))}
                      options={p.vetoItems.map((v) => ({ value: v, label: v }))}
                    />
                    <Button
                      size="small"
                      type="primary"
                      disabled={points[key] === undefined || points[key] === null}
                      onClick={() => act.mutate({ r, subject: p.subjectCode, score: true })}
                      data-testid="practical-submit"
                    >
                      {t('exams.submitScore')}
                    </Button>
                  </>
                )}
              </Space>
            );
          })}
        </Card>
      )}
    />
  );
}

function Results({ sessionId, items }: { sessionId: string; items: Registration[] }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const authority = hasAnyRole(me, 'exam_authority');
  const published = items.some((r) => r.published);
  const publish = useMutation({
    mutationFn: () => api.post<{ published: number }>(`/api/exams/sessions/${sessionId}/publish`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['session-candidates'] }),
    onError: (e) => message.error(errorText(e)),
  });
  const certify = useMutation({
    mutationFn: (r: Registration) =>
      api.post<{ number: string }>(`/api/exams/registrations/${r.id}/certificate`),
    onSuccess: (c) => {
      message.success(t('exams.certified', { number: c.number }));
      void qc.invalidateQueries({ queryKey: ['session-candidates'] });
    },
    onError: (e) => message.error(errorText(e)),
  });
  return (
    <>
      {authority && !published && (
        <Button
          type="primary"
          onClick={() => publish.mutate()}
          loading={publish.isPending}
          style={{ marginBottom: 12 }}
          data-testid="publish-results"
        >
          {t('exams.publish')}
        </Button>
      )}
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={items}
        scroll={{ x: true }}
        columns={[
          { title: t('exams.candidate'), dataIndex: 'name' },
          { title: t('exams.statusLabel'), render: (_, r) => <StatusTag r={r} /> },
          {
            title: t('exams.theory'),
            render: (_, r) =>
              r.theoryState === 'carried' ? t('exams.carried') : (r.theoryScore ?? '—'),
          },
          {
            title: t('exams.practical'),
            render: (_, r) =>
              r.practicalScore === null
                ? '—'
                : `${r.practicalScore}${r.practicalVeto ? ` (${t('exams.veto')})` : ''}`,
          },
          { title: t('exams.resultLabel'), render: (_, r) => <ResultTag result={r.result} /> },
          {
            title: '',
            render: (_, r) =>
              r.certificateId ? (
                <Link to={`/certificates/${r.certificateId}`} data-testid="certificate-link">
                  <SafetyCertificateOutlined /> {t('exams.certificate')}
                </Link>
              ) : (
                authority &&
                r.published &&
                r.result === 'pass' && (
                  <Button
                    size="small"
                    type="primary"
                    onClick={() => certify.mutate(r)}
                    loading={certify.isPending}
                    data-testid="certify"
                  >
                    {t('exams.certify')}
                  </Button>
                )
              ),
          },
        ]}
      />
    </>
  );
}
