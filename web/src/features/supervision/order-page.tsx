import { LeftOutlined, LinkOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Input,
  List,
  Space,
  Spin,
  Table,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { hasAnyRole, useAuth } from '../../app/auth';
import { api } from '../../lib/api-client';
import {
  errorText,
  type FileRef,
  fileUrl,
  fmtTime,
  type Order,
  type OrderDetail,
  OrderStateTag,
  readAsBase64,
  SeverityTag,
} from './shared';

const ACCEPT = 'image/jpeg,image/png,image/webp,application/pdf';

/** Uploads files one by one and answers what the server stored. */
export function EvidenceUpload({
  upload,
  onUploaded,
}: {
  upload: (body: { contentBase64: string; contentType: string; name: string }) => Promise<FileRef>;
  onUploaded: (f: FileRef) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  return (
    <label
      className="ant-btn ant-btn-default"
      style={{
        display: 'inline-flex',
        alignItems: 'center',
        gap: 6,
        height: 40,
        padding: '0 12px',
        cursor: 'pointer',
      }}
    >
      <UploadOutlined />
      {busy ? t('common.loading') : t('sv.order.upload')}
      <input
        type="file"
        accept={ACCEPT}
        multiple
        data-testid="evidence-input"
        style={{ display: 'none' }}
        onChange={async (e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          setBusy(true);
          try {
            for (const f of files)
              onUploaded(
                await upload({
                  contentBase64: await readAsBase64(f),
                  contentType: f.type || 'application/octet-stream',
                  name: f.name,
                }),
              );
          } catch (err) {
            message.error(errorText(err));
          } finally {
            setBusy(false);
          }
        }}
      />
    </label>
  );
}

export function FileList({
  files,
  link = true,
}: {
  files: { id: string; name: string | null }[];
  link?: boolean;
}) {
  return (
    <Space wrap>
      {files.map((f) =>
        link ? (
          <a key={f.id} href={fileUrl(f.id)} target="_blank" rel="noreferrer">
            {f.name ?? f.id.slice(0, 8)}
          </a>
        ) : (
          <span key={f.id}>{f.name ?? f.id.slice(0, 8)}</span>
        ),
      )}
    </Space>
  );
}

/** The inspected organization's answer: statement and evidence files, sent once. */
export function RespondForm({
  upload,
  respond,
  testId = 'respond-form',
}: {
  upload: (body: { contentBase64: string; contentType: string; name: string }) => Promise<FileRef>;
  respond: (body: { statement: string; fileIds: string[] }) => Promise<unknown>;
  testId?: string;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [statement, setStatement] = useState('');
  const [files, setFiles] = useState<FileRef[]>([]);
  const [busy, setBusy] = useState(false);
  return (
    <Card size="small" title={t('sv.order.respond')} data-testid={testId}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Input.TextArea
          aria-label={t('sv.order.statement')}
          placeholder={t('sv.order.statement')}
          autoSize={{ minRows: 3 }}
          value={statement}
          onChange={(e) => setStatement(e.target.value)}
        />
        <Space wrap>
          <EvidenceUpload upload={upload} onUploaded={(f) => setFiles((x) => [...x, f])} />
          <FileList files={files} link={false} />
        </Space>
        <Button
          type="primary"
          size="large"
          block
          loading={busy}
          disabled={statement.trim().length < 2}
          onClick={async () => {
            setBusy(true);
            try {
              await respond({ statement: statement.trim(), fileIds: files.map((f) => f.id) });
            } catch (e) {
              message.error(errorText(e));
            } finally {
              setBusy(false);
            }
          }}
        >
          {t('sv.order.respond')}
        </Button>
      </Space>
    </Card>
  );
}

/** One rectification order: the regulator's and inspectors' view (link, verify, close) and the organization's (answer). */
export function OrderPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['order', id],
    queryFn: () => api.get<OrderDetail>(`/api/supervision/orders/${id}`),
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['order', id] });
  const [link, setLink] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const act = useMutation({
    mutationFn: (f: () => Promise<unknown>) => f(),
    onSuccess: () => refresh(),
    onError: (e) => message.error(errorText(e)),
  });
  if (q.isLoading) return <Spin style={{ display: 'block', margin: '20vh auto' }} />;
  if (q.error || !q.data) return <Alert type="error" showIcon message={errorText(q.error)} />;
  const o = q.data;
  const officer = hasAnyRole(me!, 'regulator', 'inspector');
  return (
    <div style={{ maxWidth: 880, margin: '0 auto' }} data-testid="order-page">
      <Link to={officer ? '/supervision?tab=orders' : '/orders'}>
        <Button icon={<LeftOutlined />} type="text">
          {t('sv.back')}
        </Button>
      </Link>
      <Typography.Title level={4} style={{ marginTop: 4 }}>
        {o.number} <OrderStateTag state={o.state} overdue={o.overdue} />
      </Typography.Title>
      <Descriptions size="small" column={1} bordered style={{ marginBottom: 12 }}>
        <Descriptions.Item label={t('sv.order.organization')}>
          {o.organizationName}
        </Descriptions.Item>
        <Descriptions.Item label={t('sv.order.deadline')}>
          {o.deadline}
          {o.escalatedTo && (
            <Typography.Text type="danger">（{t('sv.order.escalated')}）</Typography.Text>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('sv.order.requirements')}>{o.requirements}</Descriptions.Item>
        <Descriptions.Item label={t('sv.board.responsible')}>{o.responsibleName}</Descriptions.Item>
        <Descriptions.Item label={t('sv.order.issuedBy')}>
          {o.regulatorName} {o.issuedBy} · {fmtTime(o.issuedAt)}
        </Descriptions.Item>
        {o.verifiedBy && (
          <Descriptions.Item label={t('sv.order.verifiedBy')}>
            {o.verifiedBy}：{o.verificationNote}
          </Descriptions.Item>
        )}
      </Descriptions>
      <Card size="small" title={t('sv.order.findings')} style={{ marginBottom: 12 }}>
        <List
          dataSource={o.findings}
          renderItem={(f) => (
            <List.Item>
              <Space direction="vertical" size={2}>
                <SeverityTag severity={f.severity as 'serious'} />
                <span>{f.message}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('sv.basis')}：{f.basis}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      </Card>
      <Card size="small" title={t('sv.order.responses')} style={{ marginBottom: 12 }}>
        {o.responses.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
        ) : (
          <List
            dataSource={o.responses}
            renderItem={(r) => (
              <List.Item>
                <Space direction="vertical" size={2}>
                  <Typography.Text type="secondary">
                    {fmtTime(r.respondedAt)} · {r.responder}
                  </Typography.Text>
                  <span data-testid="order-statement">{r.statement}</span>
                  {r.outcome && (
                    <Typography.Text type={r.outcome === 'accepted' ? 'success' : 'danger'}>
                      {t(r.outcome === 'accepted' ? 'sv.order.accept' : 'sv.order.reject')}
                      {r.outcomeNote ? `：${r.outcomeNote}` : ''}
                    </Typography.Text>
                  )}
                </Space>
              </List.Item>
            )}
          />
        )}
        {o.files.length > 0 && (
          <div style={{ marginTop: 8 }} data-testid="order-files">
            {t('sv.order.files')}：<FileList files={o.files} />
          </div>
        )}
      </Card>

      {!officer && o.state === 'issued' && (
        <RespondForm
          upload={(b) => api.post<FileRef>(`/api/supervision/orders/${id}/files`, b)}
          respond={async (b) => {
            await api.post(`/api/supervision/orders/${id}/respond`, b);
            await refresh();
          }}
        />
      )}
      {!officer && o.state === 'responded' && (
        <Alert type="info" showIcon message={t('sv.order.submitted')} />
      )}

      {officer && (
        <Space direction="vertical" style={{ width: '100%' }}>
          {o.state === 'issued' && (
            <Card size="small" title={t('sv.order.link')}>
              <Typography.Paragraph type="secondary">{t('sv.order.linkHint')}</Typography.Paragraph>
              {link ? (
                <Input
                  readOnly
                  value={link}
                  data-testid="order-link"
                  onFocus={(e) => e.target.select()}
                />
              ) : (
                <Button
                  icon={<LinkOutlined />}
                  onClick={async () => {
                    try {
                      const l = await api.post<{ path: string }>(
                        `/api/supervision/orders/${id}/links`,
                      );
                      setLink(`${window.location.origin}${l.path}`);
                      message.success(t('sv.order.linkCopied'));
                    } catch (e) {
                      message.error(errorText(e));
                    }
                  }}
                >
                  {t('sv.order.link')}
                </Button>
              )}
            </Card>
          )}
          {o.state === 'responded' && (
            <Card size="small" title={t('sv.order.verify')} data-testid="verify-card">
              <Typography.Paragraph type="secondary">
                {t('sv.order.verifyHint')}
              </Typography.Paragraph>
              <Input.TextArea
                aria-label={t('sv.order.verifyNote')}
                placeholder={t('sv.order.verifyNote')}
                value={note}
                onChange={(e) => setNote(e.target.value)}
                autoSize={{ minRows: 2 }}
                style={{ marginBottom: 8 }}
              />
              <Space wrap>
                {(['accepted', 'rejected'] as const).map((outcome) => (
                  <Button
                    key={outcome}
                    type={outcome === 'accepted' ? 'primary' : 'default'}
                    danger={outcome === 'rejected'}
                    disabled={!note.trim()}
                    loading={act.isPending}
                    onClick={() =>
                      act.mutate(() =>
                        api.post(`/api/supervision/orders/${id}/verify`, {
                          outcome,
                          note: note.trim(),
                        }),
                      )
                    }
                  >
                    {t(outcome === 'accepted' ? 'sv.order.accept' : 'sv.order.reject')}
                  </Button>
                ))}
              </Space>
            </Card>
          )}
          {o.state === 'verified' && (
            <Button
              type="primary"
              size="large"
              loading={act.isPending}
              onClick={() => act.mutate(() => api.post(`/api/supervision/orders/${id}/close`))}
            >
              {t('sv.order.close')}
            </Button>
          )}
        </Space>
      )}
    </div>
  );
}

/** Orders as a table; the organization's own list and the regulator's tab share it. */
export function OrdersTable({ orders, loading }: { orders: Order[]; loading?: boolean }) {
  const { t } = useTranslation();
  return (
    <Table
      rowKey="id"
      size="small"
      loading={loading}
      dataSource={orders}
      scroll={{ x: 'max-content' }}
      pagination={{ pageSize: 20 }}
      columns={[
        {
          title: t('sv.order.number'),
          dataIndex: 'number',
          render: (v: string, o) => <Link to={`/orders/${o.id}`}>{v}</Link>,
        },
        { title: t('sv.order.organization'), dataIndex: 'organizationName' },
        { title: t('sv.order.deadline'), dataIndex: 'deadline' },
        {
          title: t('org.status'),
          dataIndex: 'state',
          render: (s: string, o) => <OrderStateTag state={s} overdue={o.overdue} />,
        },
      ]}
    />
  );
}

/** The inspected organization's orders. */
export function MyOrdersPage() {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ['orders', 'mine'],
    queryFn: () => api.get<Order[]>('/api/supervision/orders'),
  });
  return (
    <div>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('sv.order.mine')}
      </Typography.Title>
      {q.error && <Alert type="error" showIcon message={errorText(q.error)} />}
      <OrdersTable orders={q.data ?? []} loading={q.isLoading} />
    </div>
  );
}
