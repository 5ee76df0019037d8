import { FormOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Collapse,
  Descriptions,
  Empty,
  List,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../../lib/api-client';
import { errorText, fmt, type Plan, type Registration, ResultTag, StatusTag } from './shared';

/** 我的考试 (a worker, phone first): exams open for registration, my registrations, results. */
export function MyExamsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const plans = useQuery({
    queryKey: ['exam-plans', 'open'],
    queryFn: () => api.get<{ items: Plan[] }>('/api/exams/plans', { status: 'open' }),
  });
  const mine = useQuery({
    queryKey: ['my-exams'],
    queryFn: () => api.get<{ items: Registration[] }>('/api/exams/registrations'),
    refetchInterval: 20_000,
  });
  const register = useMutation({
    mutationFn: (v: { planId: string; sessionId: string }) =>
      api.post<Registration>(`/api/exams/plans/${v.planId}/registrations`, {
        sessionId: v.sessionId,
      }),
    onSuccess: () => {
      message.success(t('exams.registered'));
      void qc.invalidateQueries({ queryKey: ['my-exams'] });
      void qc.invalidateQueries({ queryKey: ['exam-plans'] });
    },
  });
  const registeredPlans = new Set(
    (mine.data?.items ?? []).filter((r) => r.status !== 'withdrawn').map((r) => r.planId),
  );
  const now = Date.now();
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card title={t('exams.mine')}>
        {mine.error && <Alert type="error" showIcon message={errorText(mine.error)} />}
        {/* One empty state, not the list's own beside it. */}
        {(mine.data?.items ?? []).length === 0 ? (
          !mine.isLoading && <Empty description={t('exams.noneMine')} />
        ) : (
          <List
            dataSource={mine.data?.items ?? []}
            renderItem={(r) => <MyRegistration key={r.id} r={r} />}
          />
        )}
      </Card>
      <Card title={t('exams.open')}>
        {register.error && (
          <Alert
            type="error"
            showIcon
            message={errorText(register.error)}
            style={{ marginBottom: 12 }}
            data-testid="register-error"
            closable
            onClose={() => register.reset()}
          />
        )}
        <List
          loading={plans.isLoading}
          locale={{ emptyText: t('exams.noneOpen') }}
          dataSource={(plans.data?.items ?? []).filter((p) => !registeredPlans.has(p.id))}
          renderItem={(p) => (
            <List.Item data-testid="open-plan">
              <List.Item.Meta
                title={`${p.name}`}
                description={
                  <Space direction="vertical" size={4} style={{ width: '100%' }}>
                    <span>
                      {p.itemName} · {p.authorityName}
                    </span>
                    {p.sessions
                      .filter((s) => new Date(s.startsAt).getTime() > now)
                      .map((s) => (
                        <Space key={s.id} wrap>
                          <span>
                            {fmt(s.startsAt)} {s.siteName} {s.room}（{s.registered}/{s.capacity}）
                          </span>
                          <Button
                            size="small"
                            type="primary"
                            disabled={s.registered >= s.capacity}
                            loading={register.isPending}
                            onClick={() => register.mutate({ planId: p.id, sessionId: s.id })}
                            data-testid="register-session"
                          >
                            {t('exams.register')}
                          </Button>
                        </Space>
                      ))}
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      </Card>
    </Space>
  );
}

function MyRegistration({ r }: { r: Registration }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const canSit =
    r.status === 'checked_in' &&
    !r.cancelledReason &&
    (r.theoryState === 'not_started' || r.theoryState === 'running') &&
    Date.now() < new Date(r.endsAt).getTime();
  return (
    <List.Item data-testid="my-registration" data-registration={r.id}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Typography.Text strong>{r.planName}</Typography.Text>
          <StatusTag r={r} />
          {r.published && <ResultTag result={r.result} />}
          {r.attempt > 1 && <Tag color="orange">{t('exams.retake')}</Tag>}
        </Space>
        <Typography.Text type="secondary">
          {r.itemName} · {fmt(r.startsAt)} {r.siteName} {r.room}
        </Typography.Text>
        {r.cancelledReason && (
          <Alert type="error" showIcon message={`${t('exams.cancelled')}：${r.cancelledReason}`} />
        )}
        {r.warnings
          .filter((w) => w.kind === 'warning')
          .map((w) => (
            <Alert
              key={w.id}
              type="warning"
              showIcon
              message={`${t('exams.warning')}：${w.note}`}
            />
          ))}
        <Descriptions size="small" column={1}>
          <Descriptions.Item label={t('exams.theory')}>
            {r.theoryState === 'carried' ? (
              t('exams.carried')
            ) : r.theoryScore !== null ? (
              <span data-testid="my-theory-score">{r.theoryScore}</span>
            ) : (
              t(`exams.theoryState.${r.theoryState}`)
            )}
          </Descriptions.Item>
          {r.certificateKind === 'special_operation' && (
            <Descriptions.Item label={t('exams.practical')}>
              {r.practicalScore ?? (r.published ? '—' : t('exams.result.pending'))}
            </Descriptions.Item>
          )}
        </Descriptions>
        <Collapse
          size="small"
          items={[
            {
              key: 'e',
              label: t('exams.eligibility'),
              children: (
                <List
                  size="small"
                  dataSource={r.eligibility.checks}
                  renderItem={(c) => (
                    <List.Item>
                      <Tag color={c.passed ? 'green' : 'red'}>{t(`exams.checks.${c.code}`)}</Tag>{' '}
                      {c.message}
                    </List.Item>
                  )}
                />
              ),
            },
          ]}
        />
        <Space wrap>
          {canSit && (
            <Button
              type="primary"
              icon={<FormOutlined />}
              onClick={() => navigate(`/my/exams/${r.id}/theory`)}
              data-testid="enter-exam"
            >
              {r.theoryState === 'running' ? t('exams.continueExam') : t('exams.enterExam')}
            </Button>
          )}
          {r.certificateId && (
            <Link to={`/certificates/${r.certificateId}`} data-testid="my-certificate">
              <SafetyCertificateOutlined /> {t('exams.certificate')}
            </Link>
          )}
        </Space>
      </Space>
    </List.Item>
  );
}
