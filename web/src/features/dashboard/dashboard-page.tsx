import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Skeleton, Statistic } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart } from '../../components/chart';
import { api } from '../../lib/api-client';

interface Stats {
  byKind: { kind: string; count: number }[];
  byStatus: { status: string; count: number }[];
  byRegion: { regionCode: string; regionName: string; count: number }[];
  persons: number;
  highRiskEnterprises: number;
}

export function DashboardPage() {
  const { t } = useTranslation();
  const stats = useQuery({
    queryKey: ['registry-stats'],
    queryFn: () => api.get<Stats>('/api/registry/stats'),
  });
  const data = stats.data;
  const kindOption = useMemo(
    () =>
      data && {
        tooltip: { trigger: 'item' },
        legend: { bottom: 0, type: 'scroll' },
        series: [
          {
            type: 'pie',
            radius: ['35%', '65%'],
            data: data.byKind.map((k) => ({ name: t(`kind.${k.kind}`), value: k.count })),
          },
        ],
      },
    [data, t],
  );
  const regionOption = useMemo(
    () =>
      data && {
        tooltip: { trigger: 'axis' },
        grid: { left: 40, right: 12, top: 16, bottom: 60 },
        xAxis: {
          type: 'category',
          data: data.byRegion.map((r) => r.regionName),
          axisLabel: { rotate: 30 },
        },
        yAxis: { type: 'value' },
        series: [
          { type: 'bar', data: data.byRegion.map((r) => r.count), itemStyle: { color: '#b7312c' } },
        ],
      },
    [data],
  );
  if (stats.isLoading || !data) return <Skeleton active />;
  const organizations = data.byKind.reduce((s, k) => s + k.count, 0);
  const suspended = data.byStatus
    .filter((s) => s.status !== 'active')
    .reduce((s, k) => s + k.count, 0);
  return (
    <Row gutter={[12, 12]}>
      <Col xs={12} md={6}>
        <Card>
          <Statistic title={t('dashboard.organizations')} value={organizations} />
        </Card>
      </Col>
      <Col xs={12} md={6}>
        <Card>
          <Statistic title={t('dashboard.persons')} value={data.persons} />
        </Card>
      </Col>
      <Col xs={12} md={6}>
        <Card>
          <Statistic title={t('dashboard.highRisk')} value={data.highRiskEnterprises} />
        </Card>
      </Col>
      <Col xs={12} md={6}>
        <Card>
          <Statistic
            title={`${t('status.suspended')} / ${t('status.exited')}`}
            value={suspended}
            valueStyle={{ color: suspended > 0 ? '#b7312c' : undefined }}
          />
        </Card>
      </Col>
      <Col xs={24} md={10}>
        <Card title={t('dashboard.byKind')}>{kindOption && <Chart option={kindOption} />}</Card>
      </Col>
      {data.byRegion.length > 0 && (
        <Col xs={24} md={14}>
          <Card title={t('dashboard.byRegion')}>
            {regionOption && <Chart option={regionOption} />}
          </Card>
        </Col>
      )}
    </Row>
  );
}
