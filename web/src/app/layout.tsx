import {
  AlertOutlined,
  ApartmentOutlined,
  AuditOutlined,
  BookOutlined,
  ClockCircleOutlined,
  DashboardOutlined,
  FileProtectOutlined,
  FileTextOutlined,
  FormOutlined,
  GlobalOutlined,
  IdcardOutlined,
  LogoutOutlined,
  MenuOutlined,
  PlayCircleOutlined,
  SafetyCertificateOutlined,
  SafetyOutlined,
  ScheduleOutlined,
  TeamOutlined,
  ToolOutlined,
} from '@ant-design/icons';
import { Button, Drawer, Layout, Menu, Space, Tag, Typography } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import type { Me } from '../../../src/platform/auth/auth.contract.js';
import { useIsPhone } from '../lib/use-media';
import { hasAnyRole, useAuth } from './auth';
import { setLanguage } from './i18n';

const jurisdiction = ['regulator', 'inspector', 'exam_authority'];
const organizationUsers = ['training_institution', 'exam_site', 'enterprise'];

/** Menu entries by role; each module adds its own entries here as it lands. */
interface MenuEntry {
  key: string;
  path: (me: Me) => string;
  label: string;
  icon: ReactNode;
  roles: string[];
}

const entries: MenuEntry[] = [
  {
    key: 'dashboard',
    path: () => '/',
    label: 'menu.dashboard',
    icon: <DashboardOutlined />,
    roles: [...jurisdiction, ...organizationUsers],
  },
  {
    key: 'alerts',
    path: () => '/alerts',
    label: 'menu.alerts',
    icon: <AlertOutlined />,
    roles: jurisdiction,
  },
  {
    key: 'report',
    path: () => '/report',
    label: 'menu.report',
    icon: <FileTextOutlined />,
    roles: jurisdiction,
  },
  {
    key: 'organizations',
    path: () => '/organizations',
    label: 'menu.organizations',
    icon: <ApartmentOutlined />,
    roles: jurisdiction,
  },
  {
    key: 'own',
    path: (me) => `/organizations/${me.organizationId}`,
    label: 'menu.ownOrganization',
    icon: <ApartmentOutlined />,
    roles: organizationUsers,
  },
  {
    key: 'enterprises',
    path: () => '/enterprises',
    label: 'menu.enterprises',
    icon: <SafetyOutlined />,
    roles: ['regulator', 'inspector'],
  },
  {
    key: 'ledger',
    path: (me) => `/enterprises/${me.organizationId}?tab=ledger`,
    label: 'menu.ledger',
    icon: <SafetyOutlined />,
    roles: ['enterprise'],
  },
  {
    key: 'persons',
    path: () => '/persons',
    label: 'menu.persons',
    icon: <TeamOutlined />,
    roles: [...jurisdiction, ...organizationUsers],
  },
  {
    key: 'myfile',
    path: (me) => `/persons/${me.personId}`,
    label: 'menu.myFile',
    icon: <IdcardOutlined />,
    roles: ['worker'],
  },
  {
    key: 'classes',
    path: () => '/classes',
    label: 'menu.classes',
    icon: <BookOutlined />,
    roles: [...jurisdiction, 'training_institution', 'enterprise'],
  },
  {
    key: 'learn',
    path: () => '/my/courses',
    label: 'menu.learn',
    icon: <PlayCircleOutlined />,
    roles: ['worker'],
  },
  {
    key: 'myhours',
    path: () => '/my/hours',
    label: 'menu.myHours',
    icon: <ClockCircleOutlined />,
    roles: ['worker'],
  },
  {
    key: 'exams',
    path: () => '/exams',
    label: 'menu.exams',
    icon: <AuditOutlined />,
    roles: ['exam_authority', 'exam_site', 'regulator'],
  },
  {
    key: 'myexams',
    path: () => '/my/exams',
    label: 'menu.myExams',
    icon: <FormOutlined />,
    roles: ['worker'],
  },
  {
    key: 'certificates',
    path: () => '/certificates',
    label: 'menu.certificates',
    icon: <SafetyCertificateOutlined />,
    roles: [...jurisdiction, 'enterprise', 'worker'],
  },
  {
    key: 'inspect',
    path: () => '/inspect',
    label: 'menu.inspect',
    icon: <ScheduleOutlined />,
    roles: ['inspector'],
  },
  {
    key: 'supervision',
    path: () => '/supervision',
    label: 'menu.supervision',
    icon: <AlertOutlined />,
    roles: ['regulator', 'inspector'],
  },
  {
    key: 'orders',
    path: () => '/orders',
    label: 'menu.orders',
    icon: <ToolOutlined />,
    roles: [...organizationUsers, 'exam_authority'],
  },
  {
    key: 'policies',
    path: () => '/policies',
    label: 'menu.policies',
    icon: <FileProtectOutlined />,
    roles: jurisdiction,
  },
];

export function AppLayout() {
  const { t, i18n } = useTranslation();
  const { me, logout } = useAuth();
  const isPhone = useIsPhone();
  const [open, setOpen] = useState(false);
  const location = useLocation();
  const navigate = useNavigate();
  if (!me) return null;
  const visible = entries.filter(
    (e) => hasAnyRole(me, ...e.roles) && !(e.key === 'myfile' && !me.personId),
  );
  const selected = visible.filter((e) => {
    const p = e.path(me);
    return p === '/' ? location.pathname === '/' : location.pathname.startsWith(p);
  });
  const menu = (
    <Menu
      mode="inline"
      selectedKeys={selected.slice(-1).map((e) => e.key)}
      items={visible.map((e) => ({
        key: e.key,
        icon: e.icon,
        label: <Link to={e.path(me)}>{t(e.label)}</Link>,
      }))}
      onClick={() => setOpen(false)}
    />
  );
  const brand = (
    <div style={{ padding: '16px 16px 8px' }}>
      <Typography.Title level={4} style={{ margin: 0, color: '#b7312c' }}>
        {t('app.name')}
      </Typography.Title>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('app.subtitle')}
      </Typography.Text>
    </div>
  );
  return (
    <Layout style={{ minHeight: '100vh' }}>
      {isPhone ? (
        <Drawer
          placement="left"
          open={open}
          onClose={() => setOpen(false)}
          width={260}
          styles={{ body: { padding: 0 } }}
        >
          {brand}
          {menu}
        </Drawer>
      ) : (
        <Layout.Sider theme="light" width={220} style={{ borderRight: '1px solid #f0f0f0' }}>
          {brand}
          {menu}
        </Layout.Sider>
      )}
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            padding: '0 12px',
            display: 'flex',
            alignItems: 'center',
            gap: 8,
            borderBottom: '1px solid #f0f0f0',
            height: 56,
            lineHeight: '56px',
          }}
        >
          {isPhone && (
            <Button
              type="text"
              icon={<MenuOutlined />}
              aria-label="menu"
              onClick={() => setOpen(true)}
            />
          )}
          <Typography.Text strong ellipsis style={{ flex: 1, minWidth: 0 }}>
            {me.organizationName ?? me.displayName}
          </Typography.Text>
          {!isPhone && (
            <Space size={4}>
              {me.roles.map((r) => (
                <Tag key={r} color="red">
                  {t(`role.${r}`)}
                </Tag>
              ))}
            </Space>
          )}
          <Button
            type="text"
            icon={<GlobalOutlined />}
            onClick={() => setLanguage(i18n.language === 'en' ? 'zh-CN' : 'en')}
          >
            {isPhone ? null : t('app.language')}
          </Button>
          <Button
            type="text"
            icon={<LogoutOutlined />}
            onClick={async () => {
              await logout();
              navigate('/login');
            }}
          >
            {isPhone ? null : t('app.logout')}
          </Button>
        </Layout.Header>
        <Layout.Content style={{ padding: isPhone ? 8 : 16, minWidth: 0 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
