import { useQuery } from '@tanstack/react-query';
import { Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { gradingFormula } from '../../../../src/modules/supervision/supervision.rules.js';
import { api } from '../../lib/api-client';
import { BoardTab, OrdersTab, PenaltiesTab } from './board-tab';
import { InspectionsTable, PlansTab } from './plans-tab';
import { ReportsTab } from './reports-tab';
import type { Inspection } from './shared';
import { GradesTab, SummaryTab } from './summary-tab';

function InspectionsTab() {
  const q = useQuery({
    queryKey: ['sv-inspections'],
    queryFn: () => api.get<Inspection[]>('/api/supervision/inspections'),
  });
  return <InspectionsTable rows={q.data ?? []} loading={q.isLoading} />;
}

/** The regulator's (and inspector's) supervision desk: one tab per part of the loop. */
export function SupervisionPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'board';
  const items = [
    { key: 'board', children: <BoardTab /> },
    { key: 'plans', children: <PlansTab /> },
    { key: 'inspections', children: <InspectionsTab /> },
    { key: 'orders', children: <OrdersTab /> },
    { key: 'penalties', children: <PenaltiesTab /> },
    { key: 'summary', children: <SummaryTab /> },
    { key: 'reports', children: <ReportsTab /> },
    { key: 'grades', children: <GradesTab formula={gradingFormula} /> },
  ];
  return (
    <div>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('sv.supervision')}
      </Typography.Title>
      <Tabs
        activeKey={tab}
        destroyInactiveTabPane
        onChange={(k) => setParams({ tab: k })}
        items={items.map((x) => ({ ...x, label: t(`sv.tabs.${x.key}`) }))}
      />
    </div>
  );
}
