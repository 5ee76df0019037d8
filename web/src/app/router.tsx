import { Spin } from 'antd';
import { type ComponentType, lazy, type ReactNode, Suspense } from 'react';
import {
  createBrowserRouter,
  Navigate,
  Outlet,
  type RouteObject,
  RouterProvider,
} from 'react-router';
import { LoginPage } from '../features/auth/login-page';
import { hasAnyRole, useAuth } from './auth';
import { AppLayout } from './layout';
import { RouteError } from './route-error';

/**
 * Each page is its own chunk, fetched when a route first needs it: the login page (in the entry) does
 * not wait for every feature, nor the regulator's home for the exam hall.
 */
function page<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }));
}
const VerifyPage = page(() => import('../features/certificates/verify-page'), 'VerifyPage');
const CertificatePage = page(
  () => import('../features/certificates/certificate-page'),
  'CertificatePage',
);
const CertificatesPage = page(
  () => import('../features/certificates/certificates-page'),
  'CertificatesPage',
);
const AlertPage = page(() => import('../features/cockpit/alert-page'), 'AlertPage');
const AlertsPage = page(() => import('../features/cockpit/alerts-page'), 'AlertsPage');
const CockpitPage = page(() => import('../features/cockpit/cockpit-page'), 'CockpitPage');
const ReportPage = page(() => import('../features/cockpit/report-page'), 'ReportPage');
const DashboardPage = page(() => import('../features/dashboard/dashboard-page'), 'DashboardPage');
const EnterpriseHome = page(
  () => import('../features/enterprises/enterprise-page'),
  'EnterpriseHome',
);
const EnterprisePage = page(
  () => import('../features/enterprises/enterprise-page'),
  'EnterprisePage',
);
const EnterprisesPage = page(
  () => import('../features/enterprises/enterprises-page'),
  'EnterprisesPage',
);
const ExamsPage = page(() => import('../features/exams/exams-page'), 'ExamsPage');
const MyExamsPage = page(() => import('../features/exams/my-exams-page'), 'MyExamsPage');
const SessionPage = page(() => import('../features/exams/session-page'), 'SessionPage');
const TheoryPage = page(() => import('../features/exams/theory-page'), 'TheoryPage');
const PoliciesPage = page(() => import('../features/policy/policies-page'), 'PoliciesPage');
const OrganizationDetailPage = page(
  () => import('../features/registry/organization-detail-page'),
  'OrganizationDetailPage',
);
const OrganizationsPage = page(
  () => import('../features/registry/organizations-page'),
  'OrganizationsPage',
);
const PersonDetailPage = page(
  () => import('../features/registry/persons-page'),
  'PersonDetailPage',
);
const PersonsPage = page(() => import('../features/registry/persons-page'), 'PersonsPage');
const InspectPage = page(() => import('../features/supervision/inspect-page'), 'InspectPage');
const MyDayPage = page(() => import('../features/supervision/my-day-page'), 'MyDayPage');
const MyOrdersPage = page(() => import('../features/supervision/order-page'), 'MyOrdersPage');
const OrderPage = page(() => import('../features/supervision/order-page'), 'OrderPage');
const RectifyPage = page(() => import('../features/supervision/rectify-page'), 'RectifyPage');
const PlanPage = page(() => import('../features/supervision/plans-tab'), 'PlanPage');
const PublicReportPage = page(
  () => import('../features/supervision/public-report-page'),
  'PublicReportPage',
);
const TrackReportPage = page(
  () => import('../features/supervision/public-report-page'),
  'TrackReportPage',
);
const SupervisionPage = page(
  () => import('../features/supervision/supervision-page'),
  'SupervisionPage',
);
const ClassPage = page(() => import('../features/training/class-page'), 'ClassPage');
const ClassesPage = page(() => import('../features/training/classes-page'), 'ClassesPage');
const LearnPage = page(() => import('../features/training/learn-page'), 'LearnPage');
const MyHoursPage = page(() => import('../features/training/my-hours-page'), 'MyHoursPage');

const loadingSpinner = <Spin size="large" style={{ display: 'block', margin: '30vh auto' }} />;

/**
 * Each page awaits its chunk and catches its own failure (inside the menu's frame once logged in): a
 * page that throws, or a chunk gone after an upgrade, leaves the menu usable; the next navigation
 * clears it.
 */
function routeLevel(routes: { path: string; element: ReactNode }[]): RouteObject[] {
  return routes.map((r) => ({
    ...r,
    element: <Suspense fallback={loadingSpinner}>{r.element}</Suspense>,
    errorElement: <RouteError />,
  }));
}

function RequireLogin() {
  const { me, loading } = useAuth();
  if (loading) return loadingSpinner;
  if (!me) return <Navigate to="/login" replace />;
  return <Outlet />;
}

function Home() {
  const { me } = useAuth();
  // A worker's home is their own file (一人一档).
  if (me && me.roles.length === 1 && me.roles[0] === 'worker' && me.personId)
    return <Navigate to={`/persons/${me.personId}`} replace />;
  // Those who supervise a jurisdiction start from its problems (issue 13.6).
  if (hasAnyRole(me, 'regulator', 'inspector', 'exam_authority')) return <CockpitPage />;
  // An enterprise starts from its own compliance, problems first (issue 14 point 8).
  if (hasAnyRole(me, 'enterprise') && me?.organizationId) return <EnterpriseHome />;
  return <DashboardPage />;
}

const router = createBrowserRouter([
  ...routeLevel([
    { path: '/login', element: <LoginPage /> },
    { path: '/verify', element: <VerifyPage /> },
    { path: '/rectify/:token', element: <RectifyPage /> },
    { path: '/12350', element: <PublicReportPage /> },
    { path: '/12350/track', element: <TrackReportPage /> },
  ]),
  {
    element: <RequireLogin />,
    errorElement: <RouteError />,
    children: [
      {
        element: <AppLayout />,
        children: routeLevel([
          { path: '/', element: <Home /> },
          { path: '/organizations', element: <OrganizationsPage /> },
          { path: '/organizations/:id', element: <OrganizationDetailPage /> },
          { path: '/persons', element: <PersonsPage /> },
          { path: '/enterprises', element: <EnterprisesPage /> },
          { path: '/enterprises/:id', element: <EnterprisePage /> },
          { path: '/persons/:id', element: <PersonDetailPage /> },
          { path: '/policies', element: <PoliciesPage /> },
          { path: '/classes', element: <ClassesPage /> },
          { path: '/classes/:id', element: <ClassPage /> },
          { path: '/certificates', element: <CertificatesPage /> },
          { path: '/certificates/:id', element: <CertificatePage /> },
          { path: '/exams', element: <ExamsPage /> },
          { path: '/exams/sessions/:id', element: <SessionPage /> },
          { path: '/my/exams', element: <MyExamsPage /> },
          { path: '/my/exams/:id/theory', element: <TheoryPage /> },
          { path: '/my/hours', element: <MyHoursPage /> },
          { path: '/my/courses', element: <LearnPage /> },
          { path: '/inspect', element: <MyDayPage /> },
          { path: '/inspect/:id', element: <InspectPage /> },
          { path: '/orders', element: <MyOrdersPage /> },
          { path: '/orders/:id', element: <OrderPage /> },
          { path: '/alerts', element: <AlertsPage /> },
          { path: '/alerts/:id', element: <AlertPage /> },
          { path: '/report', element: <ReportPage /> },
          { path: '/supervision', element: <SupervisionPage /> },
          { path: '/supervision/plans/:id', element: <PlanPage /> },
          { path: '*', element: <Navigate to="/" replace /> },
        ]),
      },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
