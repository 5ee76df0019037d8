import { PrinterOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Result,
  Row,
  Select,
  Skeleton,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type {
  CertificateEventCreate,
  CertificateEventKind,
} from '../../../../src/modules/certificates/certificates.contract.js';
import { ApiError, api } from '../../lib/api-client';
import { useIsPhone } from '../../lib/use-media';
import { type CertificateDetail, StateTag } from './shared';

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

interface EventValues {
  kind: CertificateEventKind;
  occurredOn: Dayjs;
  reason?: string;
  fraud?: boolean;
  extended?: boolean;
}

/** 登记事项: review, re-training, revocation, cancellation, replacement — only what the rules allow today. */
function EventForm({ c }: { c: CertificateDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<EventValues>();
  const kind = Form.useWatch('kind', form);
  const record = useMutation({
    mutationFn: (v: EventValues) => {
      const occurredOn = v.occurredOn.format('YYYY-MM-DD');
      const body: CertificateEventCreate =
        v.kind === 'revoke'
          ? { kind: 'revoke', occurredOn, reason: v.reason ?? '', fraud: v.fraud ?? false }
          : v.kind === 'review'
            ? {
                kind: 'review',
                occurredOn,
                extended: v.extended ?? false,
                reason: v.reason || undefined,
              }
            : v.kind === 'retraining'
              ? { kind: 'retraining', occurredOn, reason: v.reason || undefined }
              : { kind: v.kind, occurredOn, reason: v.reason ?? '' };
      return api.post(`/api/certificates/${c.id}/events`, body);
    },
    onSuccess: () => {
      message.success(t('certificates.recorded'));
      form.resetFields();
      void qc.invalidateQueries({ queryKey: ['certificate', c.id] });
      void qc.invalidateQueries({ queryKey: ['certificate-qr', c.id] });
    },
  });
  if (c.allowedEvents.length === 0) return null;
  const needsReason = kind === 'revoke' || kind === 'cancel' || kind === 'replace';
  return (
    <Card size="small" title={t('certificates.recordEvent')} style={{ marginTop: 12 }}>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ occurredOn: dayjs() }}
        onFinish={(v) => record.mutate(v)}
        data-testid="certificate-event-form"
      >
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item
              name="kind"
              label={t('certificates.recordEvent')}
              rules={[{ required: true }]}
            >
              <Select
                options={c.allowedEvents.map((k) => ({
                  value: k,
                  label: t(`certificates.eventKinds.${k}`),
                }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="occurredOn"
              label={t('certificates.occurredOn')}
              rules={[{ required: true }]}
            >
              <DatePicker
                disabledDate={(d) => d.isAfter(dayjs(), 'day')}
                inputReadOnly
                style={{ width: '100%' }}
              />
            </Form.Item>
          </Col>
        </Row>
        {kind === 'review' && c.kind === 'special_operation' && (
          <Form.Item name="extended" valuePropName="checked">
            <Checkbox>{t('certificates.extended')}</Checkbox>
          </Form.Item>
        )}
        {kind === 'revoke' && (
          <Form.Item name="fraud" valuePropName="checked">
            <Checkbox>{t('certificates.fraud')}</Checkbox>
          </Form.Item>
        )}
        <Form.Item
          name="reason"
          label={t('certificates.reason')}
          rules={[{ required: needsReason, min: 2 }]}
        >
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        {record.error && (
          <Alert
            type="error"
            showIcon
            message={errorText(record.error)}
            style={{ marginBottom: 12 }}
          />
        )}
        <Button
          type="primary"
          htmlType="submit"
          loading={record.isPending}
          danger={kind === 'revoke'}
        >
          {t('certificates.recordEvent')}
        </Button>
      </Form>
    </Card>
  );
}

/** One certificate: state computed by the server, dates in force, events, QR and the print view. */
export function CertificatePage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const q = useQuery({
    queryKey: ['certificate', id],
    queryFn: () => api.get<CertificateDetail>(`/api/certificates/${id}`),
  });
  const qr = useQuery({
    queryKey: ['certificate-qr', id],
    queryFn: () =>
      api.get<{ payload: string; svg: string; cardEdition: number }>(`/api/certificates/${id}/qr`),
    enabled: !!q.data,
  });
  if (q.isLoading) return <Skeleton active />;
  if (q.error || !q.data) return <Result status="404" title={errorText(q.error)} />;
  const c = q.data;
  return (
    <>
      <Card
        title={
          <Space wrap>
            <span>{t(`verify.kinds.${c.kind}`)}</span>
            <StateTag state={c.state} since={c.stateSince} />
          </Space>
        }
        extra={
          <Link to={`/certificates/${c.id}/print`}>
            <Button icon={<PrinterOutlined />}>{t('certificates.print')}</Button>
          </Link>
        }
        data-testid="certificate-detail"
        data-state={c.state}
      >
        <Row gutter={16}>
          <Col xs={24} md={16}>
            <Descriptions column={isPhone ? 1 : 2} size="small" bordered>
              <Descriptions.Item label={t('certificates.number')}>
                <Typography.Text copyable>{c.number}</Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('certificates.holder')}>
                <Link to={`/persons/${c.holder.id}`}>{c.holder.name}</Link>
              </Descriptions.Item>
              <Descriptions.Item label={t('certificates.item')}>
                {c.operationItem.name}
              </Descriptions.Item>
              <Descriptions.Item label={t('certificates.authority')}>
                {c.authority.name}
              </Descriptions.Item>
              <Descriptions.Item label={t('certificates.issuedOn')}>{c.issuedOn}</Descriptions.Item>
              <Descriptions.Item label={t('certificates.validUntil')}>
                {c.validUntil}
              </Descriptions.Item>
              {c.reviewDue && (
                <Descriptions.Item label={t('certificates.reviewDue')}>
                  {c.reviewDue}
                </Descriptions.Item>
              )}
              {c.dueWindow && (
                <Descriptions.Item
                  label={`${t(`certificates.dueKinds.${c.dueWindow.kind}`)}${t('certificates.dueWindow')}`}
                >{`${c.dueWindow.from} ~ ${c.dueWindow.to}`}</Descriptions.Item>
              )}
              {c.retrainingDue && (
                <Descriptions.Item label={t('certificates.retrainingDue')}>
                  {c.retrainingDue}
                </Descriptions.Item>
              )}
              {c.retrainingMissing.length > 0 && (
                <Descriptions.Item label={t('certificates.retrainingMissing')}>
                  {c.retrainingMissing.map((y) => (
                    <Tag
                      key={y.year}
                      color="orange"
                    >{`${t('certificates.year', { year: y.year })} (${y.from} ~ ${y.to})`}</Tag>
                  ))}
                </Descriptions.Item>
              )}
              {c.revoked && (
                <Descriptions.Item label={t('certificates.revoked')} span={2}>
                  {`${c.revoked.on} ${c.revoked.reason ?? ''}`}
                  {c.revoked.banUntil && (
                    <Tag
                      color="red"
                      style={{ marginLeft: 8 }}
                    >{`${t('certificates.banUntil')} ${c.revoked.banUntil}`}</Tag>
                  )}
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t('certificates.cardEdition')}>
                {c.cardEdition}
              </Descriptions.Item>
              <Descriptions.Item label={t('certificates.kid')}>
                <Typography.Text code>{c.kid}</Typography.Text>
              </Descriptions.Item>
            </Descriptions>
          </Col>
          <Col xs={24} md={8} style={{ textAlign: 'center', paddingTop: isPhone ? 12 : 0 }}>
            {qr.data && (
              <>
                {/* As an image, so nothing in the SVG can run in the page. */}
                <img
                  data-testid="certificate-qr"
                  alt="QR"
                  src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qr.data.svg)}`}
                  style={{ width: 200, display: 'block', margin: '0 auto' }}
                />
                <Typography.Paragraph
                  copyable={{ text: qr.data.payload }}
                  type="secondary"
                  style={{ fontSize: 11, wordBreak: 'break-all' }}
                >
                  {qr.data.payload.slice(0, 24)}…
                </Typography.Paragraph>
              </>
            )}
          </Col>
        </Row>
      </Card>
      <EventForm c={c} />
      {c.events.length > 0 && (
        <Card size="small" title={t('certificates.events')} style={{ marginTop: 12 }}>
          <Table
            rowKey="id"
            size="small"
            pagination={false}
            scroll={{ x: true }}
            dataSource={c.events}
            columns={[
              { title: t('certificates.occurredOn'), dataIndex: 'occurredOn' },
              {
                title: '',
                dataIndex: 'kind',
                render: (k: string) => t(`certificates.eventKinds.${k}`),
              },
              {
                title: t('certificates.reason'),
                key: 'reason',
                render: (_: unknown, e: CertificateDetail['events'][number]) => (
                  <Space wrap size={4}>
                    {e.reason}
                    {e.extended && <Tag>{t('certificates.extended').split('（')[0]}</Tag>}
                    {e.banUntil && (
                      <Tag color="red">{`${t('certificates.banUntil')} ${e.banUntil}`}</Tag>
                    )}
                    {e.cardEdition && (
                      <Tag>{`${t('certificates.cardEdition')} ${e.cardEdition}`}</Tag>
                    )}
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      )}
    </>
  );
}
