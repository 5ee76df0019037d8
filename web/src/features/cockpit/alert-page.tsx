import { ArrowLeftOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert as AntAlert,
  Button,
  Card,
  Descriptions,
  Input,
  List,
  Modal,
  message,
  Skeleton,
  Space,
  Timeline,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { hasAnyRole, useAuth } from '../../app/auth';
import { api } from '../../lib/api-client';
import { useIsPhone } from '../../lib/use-media';
import { errorText } from '../training/shared';
import { type AlertDetail, beijing, SeverityTag, StateTag, useRuleName } from './shared';

const MIN_REASON = 4;

/** The screen of the record an alert is about, for the kinds the web has one for. */
const recordRoutes: Record<string, string> = {
  class: '/classes/',
  training_class: '/classes/',
  organization: '/organizations/',
  person: '/persons/',
  exam_session: '/exams/sessions/',
  certificate: '/certificates/',
};
function recordLink(r: { kind: string; id: string | null }): string | null {
  return r.id && recordRoutes[r.kind] ? `${recordRoutes[r.kind]}${r.id}` : null;
}

/**
 * One alert: what the rule found, the records that prove it (each opening the screen that shows it),
 * and its handling — acknowledge, dismiss with a reason, reopen — with the audited history.
 */
export function AlertPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const { me } = useAuth();
  const isPhone = useIsPhone();
  const ruleName = useRuleName();
  const qc = useQueryClient();
  const [asking, setAsking] = useState<'dismissed' | 'new' | null>(null);
  const [reason, setReason] = useState('');
  const q = useQuery({
    queryKey: ['alert', id],
    queryFn: () => api.get<AlertDetail>(`/api/alerts/${id}`),
  });
  const transition = useMutation({
    mutationFn: (body: { state: string; reason?: string }) =>
      api.post(`/api/alerts/${id}/state`, body),
    onSuccess: () => {
      message.success(t('cockpit.alerts.done'));
      setAsking(null);
      setReason('');
      qc.invalidateQueries({ queryKey: ['alert', id] });
      qc.invalidateQueries({ queryKey: ['alerts'] });
      qc.invalidateQueries({ queryKey: ['cockpit'] });
    },
    onError: (e) => message.error(errorText(e)),
  });
  if (q.error) return <AntAlert type="error" showIcon message={errorText(q.error)} />;
  const a = q.data;
  if (!a) return <Skeleton active />;
  const mayDecide = hasAnyRole(me, 'regulator', 'inspector', 'exam_authority');
  const figure = a.figure;

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Link to="/alerts?state=open">
        <Button type="link" icon={<ArrowLeftOutlined />} style={{ paddingInline: 0 }}>
          {t('cockpit.alerts.back')}
        </Button>
      </Link>
      <Card
        data-testid="alert-detail"
        data-state={a.state}
        title={
          <Space wrap size={4}>
            <SeverityTag severity={a.severity} />
            <span style={{ whiteSpace: 'normal' }}>{ruleName(a.rule)}</span>
          </Space>
        }
        extra={<StateTag state={a.state} />}
      >
        <Typography.Paragraph strong style={{ fontSize: 15 }} data-testid="alert-summary">
          {a.summary}
        </Typography.Paragraph>
        {a.clearedAt && (
          <AntAlert
            type="info"
            showIcon
            message={t('cockpit.alerts.cleared')}
            style={{ marginBottom: 12 }}
          />
        )}
        <Descriptions
          size="small"
          column={isPhone ? 1 : 2}
          layout={isPhone ? 'vertical' : 'horizontal'}
          bordered
        >
          <Descriptions.Item label={t('cockpit.alerts.subject')}>
            {a.subject.id ? (
              <Link to={`/organizations/${a.subject.id}`}>{a.subject.name}</Link>
            ) : (
              a.subject.name
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('cockpit.alerts.record')}>
            {recordLink(a.record) ? (
              <Link to={recordLink(a.record) as string}>{a.record.name ?? '—'}</Link>
            ) : (
              (a.record.name ?? '—')
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('cockpit.alerts.occurredOn')}>
            {a.occurredOn ?? '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('cockpit.alerts.detectedAt')}>
            {beijing(a.detectedAt)}
          </Descriptions.Item>
          {figure && figure.expected !== null && (
            <Descriptions.Item label={t('cockpit.alerts.figure')}>
              {`${String(figure.expected)} / ${String(figure.actual)}`}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('cockpit.alerts.source')} span={isPhone ? 1 : 2}>
            {a.source}
          </Descriptions.Item>
          {a.stateReason && (
            <Descriptions.Item label={t('cockpit.alerts.stateReason')} span={isPhone ? 1 : 2}>
              <span data-testid="alert-state-reason">{a.stateReason}</span>
            </Descriptions.Item>
          )}
        </Descriptions>
        {mayDecide && a.state !== 'finding' && (
          <Space wrap style={{ marginTop: 12 }}>
            {a.state === 'new' && (
              <Button
                type="primary"
                loading={transition.isPending}
                onClick={() => transition.mutate({ state: 'acknowledged' })}
                data-testid="alert-acknowledge"
              >
                {t('cockpit.alerts.acknowledge')}
              </Button>
            )}
            {a.state !== 'dismissed' ? (
              <Button danger onClick={() => setAsking('dismissed')} data-testid="alert-dismiss">
                {t('cockpit.alerts.dismiss')}
              </Button>
            ) : (
              <Button onClick={() => setAsking('new')} data-testid="alert-reopen">
                {t('cockpit.alerts.reopen')}
              </Button>
            )}
          </Space>
        )}
      </Card>

      <Card size="small" title={t('cockpit.alerts.evidence')}>
        <List
          dataSource={a.evidence}
          renderItem={(e) => (
            <List.Item
              data-testid="evidence-item"
              data-kind={e.kind}
              extra={
                e.link ? (
                  <Link to={e.link} data-testid="evidence-link">
                    {t('cockpit.alerts.openRecord')}
                  </Link>
                ) : null
              }
            >
              <List.Item.Meta
                title={e.title}
                description={
                  e.details.length > 0 && (
                    <Space direction="vertical" size={0}>
                      {e.details.map((d) => (
                        <Typography.Text key={d.label} type="secondary" style={{ fontSize: 12 }}>
                          {`${d.label}：${d.value}`}
                        </Typography.Text>
                      ))}
                    </Space>
                  )
                }
              />
            </List.Item>
          )}
        />
      </Card>

      {a.history.length > 0 && (
        <Card size="small" title={t('cockpit.alerts.history')}>
          <Timeline
            items={a.history.map((h) => ({
              children: (
                <Space direction="vertical" size={0}>
                  <Typography.Text>{`${beijing(h.at)} ${t(`cockpit.alerts.states.${h.action === 'alert.dismiss' ? 'dismissed' : h.action === 'alert.acknowledge' ? 'acknowledged' : 'new'}`)}`}</Typography.Text>
                  {h.summary && <Typography.Text type="secondary">{h.summary}</Typography.Text>}
                </Space>
              ),
            }))}
          />
        </Card>
      )}

      <Modal
        open={asking !== null}
        title={asking === 'dismissed' ? t('cockpit.alerts.dismiss') : t('cockpit.alerts.reopen')}
        okText={asking === 'dismissed' ? t('cockpit.alerts.dismiss') : t('cockpit.alerts.reopen')}
        okButtonProps={{
          danger: asking === 'dismissed',
          disabled: reason.trim().length < MIN_REASON,
          loading: transition.isPending,
          'data-testid': 'alert-reason-ok',
        }}
        cancelText={t('common.cancel')}
        onCancel={() => setAsking(null)}
        onOk={() => asking && transition.mutate({ state: asking, reason: reason.trim() })}
      >
        <Typography.Paragraph type="secondary">
          {t('cockpit.alerts.reasonRequired')}
        </Typography.Paragraph>
        <Input.TextArea
          rows={3}
          maxLength={1000}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder={t('cockpit.alerts.reasonPlaceholder')}
          data-testid="alert-reason"
        />
      </Modal>
    </Space>
  );
}
