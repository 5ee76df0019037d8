import { SafetyCertificateOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Form, Input, Layout, Result, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ApiError } from '../../lib/api-client';

interface PublicCertificate {
  number: string;
  kind: string;
  operationItem: { code: string; name: string };
  issuingAuthority: string;
  issuedOn: string;
  validUntil: string;
  reviewDue: string | null;
  state: 'valid' | 'review_due' | 'expired' | 'revoked' | 'cancelled';
  holderNameMasked: string;
  idNumberMasked: string;
}
interface Answer {
  found: boolean;
  signatureValid?: boolean;
  reason?: string | null;
  certificate: PublicCertificate | null;
  checkedAt: string;
}

const stateColor: Record<string, string> = { valid: 'green', review_due: 'orange', expired: 'default', revoked: 'red', cancelled: 'default' };

/** 证书核验 without an account: by number + name, or by the QR payload (pasted or scanned). */
export function VerifyPage() {
  const { t } = useTranslation();
  const byNumber = useMutation({ mutationFn: (v: { number: string; name: string }) => api.get<Answer>('/api/public/verify', v) });
  const byQr = useMutation({ mutationFn: (v: { payload: string }) => api.post<Answer>('/api/public/verify-qr', v) });
  const answer = byNumber.data ?? byQr.data;
  const error = byNumber.error ?? byQr.error;
  return (
    <Layout style={{ minHeight: '100vh', padding: 16 }}>
      <Card title={<span><SafetyCertificateOutlined /> {t('verify.title')}</span>} extra={<Link to="/login">{t('login.title')}</Link>} style={{ maxWidth: 560, width: '100%', margin: '0 auto' }}>
        <Typography.Paragraph type="secondary">{t('verify.hint')}</Typography.Paragraph>
        <Tabs
          onChange={() => {
            byNumber.reset();
            byQr.reset();
          }}
          items={[
            {
              key: 'number',
              label: t('verify.byNumber'),
              children: (
                <Form layout="vertical" onFinish={(v) => {
                    byQr.reset();
                    byNumber.mutate(v);
                  }} data-testid="verify-number-form">
                  <Form.Item name="number" label={t('verify.number')} rules={[{ required: true, whitespace: true }]}>
                    <Input autoComplete="off" />
                  </Form.Item>
                  <Form.Item name="name" label={t('verify.name')} rules={[{ required: true, whitespace: true }]}>
                    <Input autoComplete="off" />
                  </Form.Item>
                  <Button type="primary" htmlType="submit" block loading={byNumber.isPending}>
                    {t('verify.submit')}
                  </Button>
                </Form>
              ),
            },
            {
              key: 'qr',
              label: t('verify.byQr'),
              children: (
                <Form layout="vertical" onFinish={(v) => {
                    byNumber.reset();
                    byQr.mutate(v);
                  }} data-testid="verify-qr-form">
                  <Form.Item name="payload" label={t('verify.payload')} rules={[{ required: true, whitespace: true }]} extra={t('verify.payloadHint')}>
                    <Input.TextArea rows={4} autoComplete="off" />
                  </Form.Item>
                  <Button type="primary" htmlType="submit" block loading={byQr.isPending}>
                    {t('verify.submit')}
                  </Button>
                </Form>
              ),
            },
          ]}
        />
        {error && <Alert type="error" style={{ marginTop: 16 }} message={error instanceof ApiError && error.status === 429 ? t('verify.tooMany') : String((error as Error).message)} />}
        {answer && (
          <div data-testid="verify-result" data-found={answer.found} data-state={answer.certificate?.state ?? ''} style={{ marginTop: 16 }}>
            {answer.found && answer.certificate ? (
              <Descriptions bordered size="small" column={1} title={<Tag color={stateColor[answer.certificate.state]}>{t(`verify.states.${answer.certificate.state}`)}</Tag>}>
                {answer.signatureValid && <Descriptions.Item label={t('verify.signature')}>{t('verify.signatureValid')}</Descriptions.Item>}
                <Descriptions.Item label={t('verify.kind')}>{t(`verify.kinds.${answer.certificate.kind}`)}</Descriptions.Item>
                <Descriptions.Item label={t('verify.number')}>{answer.certificate.number}</Descriptions.Item>
                <Descriptions.Item label={t('verify.holder')}>{`${answer.certificate.holderNameMasked} · ${answer.certificate.idNumberMasked}`}</Descriptions.Item>
                <Descriptions.Item label={t('verify.item')}>{answer.certificate.operationItem.name}</Descriptions.Item>
                <Descriptions.Item label={t('verify.authority')}>{answer.certificate.issuingAuthority}</Descriptions.Item>
                <Descriptions.Item label={t('verify.validity')}>{`${answer.certificate.issuedOn} ~ ${answer.certificate.validUntil}`}</Descriptions.Item>
                {answer.certificate.reviewDue && <Descriptions.Item label={t('verify.reviewDue')}>{answer.certificate.reviewDue}</Descriptions.Item>}
              </Descriptions>
            ) : (
              <Result status="warning" title={answer.signatureValid === false ? t('verify.badSignature') : t('verify.notFound')} subTitle={t('verify.notFoundHint')} />
            )}
          </div>
        )}
      </Card>
    </Layout>
  );
}
