import { GlobalOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate } from 'react-router';
import { useAuth } from '../../app/auth';
import { setLanguage } from '../../app/i18n';
import { ApiError, api } from '../../lib/api-client';

interface DemoAccount {
  username: string;
  password: string;
  role: string;
  displayName: string;
  description: string;
}

export function LoginPage() {
  const { t, i18n } = useTranslation();
  const { me, refresh } = useAuth();
  const navigate = useNavigate();
  const [form] = Form.useForm<{ username: string; password: string }>();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const demo = useQuery({
    queryKey: ['demo-accounts'],
    queryFn: () => api.get<{ items: DemoAccount[] }>('/api/demo/accounts'),
    retry: false,
  });
  if (me) return <Navigate to="/" replace />;

  async function submit(values: { username: string; password: string }) {
    setSubmitting(true);
    setError(null);
    try {
      await api.post('/api/auth/login', values);
      await refresh();
      navigate('/');
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('login.failed'));
    } finally {
      setSubmitting(false);
    }
  }

  const accounts = demo.data?.items ?? [];
  return (
    <div
      style={{
        minHeight: '100vh',
        background: 'linear-gradient(180deg,#fbeeee,#fff)',
        padding: 16,
      }}
    >
      <div style={{ maxWidth: 880, margin: '0 auto' }}>
        <div
          style={{
            display: 'flex',
            justifyContent: 'space-between',
            alignItems: 'center',
            margin: '24px 0',
          }}
        >
          <div>
            <Typography.Title level={2} style={{ margin: 0, color: '#b7312c' }}>
              {t('app.name')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('app.subtitle')}</Typography.Text>
          </div>
          <Button
            icon={<GlobalOutlined />}
            onClick={() => setLanguage(i18n.language === 'en' ? 'zh-CN' : 'en')}
          >
            {t('app.language')}
          </Button>
        </div>
        <Card title={t('login.title')} style={{ maxWidth: 420, margin: '0 auto 24px' }}>
          <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
            <Form.Item name="username" label={t('login.username')} rules={[{ required: true }]}>
              <Input autoComplete="username" />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
            <Button type="primary" htmlType="submit" block loading={submitting}>
              {t('login.submit')}
            </Button>
          </Form>
          <div style={{ marginTop: 12, textAlign: 'center' }}>
            <Link to="/verify">{t('verify.link')}</Link>
            <span style={{ margin: '0 8px', color: '#d9d9d9' }}>|</span>
            <Link to="/12350">{t('sv.report.title')}</Link>
          </div>
        </Card>
        {/* Only a server in demo mode answers /api/demo/accounts; elsewhere nothing is shown here. */}
        {demo.isSuccess && (
          <Card
            title={
              accounts.length > 0
                ? t('login.demo', { password: accounts[0].password })
                : t('login.title')
            }
          >
            <Alert
              type="warning"
              showIcon
              message={t('login.demoMode')}
              style={{ marginBottom: 12 }}
            />
            {accounts.length > 0 ? (
              <>
                <Typography.Paragraph type="secondary">{t('login.demoHint')}</Typography.Paragraph>
                {/* A list, not a table: on a phone each account is one tap-sized row, and a
                    username never breaks across lines. */}
                <ul className="zx-demo-accounts" aria-label={t('login.demoList')}>
                  {accounts.map((a) => (
                    <li key={a.username}>
                      <button
                        type="button"
                        onClick={() =>
                          form.setFieldsValue({ username: a.username, password: a.password })
                        }
                      >
                        <span className="zx-demo-head">
                          <Typography.Text code className="zx-demo-username">
                            {a.username}
                          </Typography.Text>
                          <Tag color="red">{t(`role.${a.role}`)}</Tag>
                          <Typography.Text strong className="zx-demo-name">
                            {a.displayName}
                          </Typography.Text>
                        </span>
                        <Typography.Text type="secondary" className="zx-demo-description">
                          {a.description}
                        </Typography.Text>
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <Typography.Text type="secondary">{t('login.noDemo')}</Typography.Text>
            )}
          </Card>
        )}
      </div>
    </div>
  );
}
