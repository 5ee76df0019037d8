import { Spin } from 'antd';
import { createBrowserRouter, Navigate, Outlet, RouterProvider } from 'react-router';
import { LoginPage } from '../features/auth/login-page';
import { CertificatePage } from '../features/certificates/certificate-page';
import { CertificatesPage } from '../features/certificates/certificates-page';
import { VerifyPage } from '../features/certificates/verify-page';
import { AlertPage } from '../features/cockpit/alert-page';
import { AlertsPage } from '../features/cockpit/alerts-page';
import { CockpitPage } from '../features/cockpit/cockpit-page';
import { ReportPage } from '../features/cockpit/report-page';
import { DashboardPage } from '../features/dashboard/dashboard-page';
import { ExamsPage } from '../features/exams/exams-page';
import { MyExamsPage } from '../features/exams/my-exams-page';
import { SessionPage } from '../features/exams/session-page';
import { TheoryPage } from '../features/exams/theory-page';
import { PoliciesPage } from '../features/policy/policies-page';
import { OrganizationDetailPage } from '../features/registry/organization-detail-page';
import { OrganizationsPage } from '../features/registry/organizations-page';
import { PersonDetailPage, PersonsPage } from '../features/registry/persons-page';
import { InspectPage } from '../features/supervision/inspect-page';
import { MyDayPage } from '../features/supervision/my-day-page';
import { MyOrdersPage, OrderPage } from '../features/supervision/order-page';
import { PlanPage } from '../features/supervision/plans-tab';
import { PublicReportPage, TrackReportPage } from '../features/supervision/public-report-page';
import { RectifyPage } from '../features/supervision/rectify-page';
import { SupervisionPage } from '../features/supervision/supervision-page';
import { ClassPage } from '../features/training/class-page';
import { ClassesPage } from '../features/training/classes-page';
import { LearnPage } from '../features/training/learn-page';
import { MyHoursPage } from '../features/training/my-hours-page';
import { hasAnyRole, useAuth } from './auth';
import { AppLayout } from './layout';

function RequireLogin() {
  const { me, loading } = useAuth();
  if (loading) return <Spin size="large" style={{ display: 'block', margin: '30vh auto' }} />;
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
  return <DashboardPage />;
}

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  { path: '/verify', element: <VerifyPage /> },
  { path: '/rectify/:token', element: <RectifyPage /> },
  { path: '/12350', element: <PublicReportPage /> },
  { path: '/12350/track', element: <TrackReportPage /> },
  {
    element: <RequireLogin />,
    children: [
      {
        element: <AppLayout />,
        children: [
          { path: '/', element: <Home /> },
          { path: '/organizations', element: <OrganizationsPage /> },
          { path: '/organizations/:id', element: <OrganizationDetailPage /> },
          { path: '/persons', element: <PersonsPage /> },
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
        ],
      },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
