import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Result, Skeleton, Space, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { hasAnyRole, useAuth } from '../../app/auth';
import { ApiError, api } from '../../lib/api-client';
import { itemLabel } from '../../lib/catalog';
import { useIsPhone } from '../../lib/use-media';
import { ArchiveTab } from './archive-tab';
import { AttendanceTab } from './attendance-tab';
import { CoverageTab } from './coverage-tab';
import { LedgerTab } from './ledger-tab';
import { OverviewTab } from './overview-tab';
import { PlanTab } from './plan-tab';
import { RosterTab } from './roster-tab';
import { type ClassDetail, classPhaseColor } from './shared';

/**
 * One class (一期一档). The institution that runs it plans, enrols, enters make-ups and closes it;
 * regulators, inspectors and exam authorities see the same pages read-only, findings and ledger first.
 */
export function ClassPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const { me } = useAuth();
  const isPhone = useIsPhone();
  const [params, setParams] = useSearchParams();
  const detail = useQuery({
    queryKey: ['class', id],
    queryFn: () => api.get<ClassDetail>(`/api/classes/${id}`),
  });
  if (detail.isLoading) return <Skeleton active />;
  if (detail.error || !detail.data)
    return (
      <Result
        status="404"
        title={detail.error instanceof ApiError ? detail.error.message : t('common.error')}
      />
    );
  const cls = detail.data;
  const isOwner =
    hasAnyRole(me, 'training_institution') && me?.organizationId === cls.organizationId;
  const canEdit = isOwner && cls.status === 'open';
  const supervising = hasAnyRole(me, 'regulator', 'inspector', 'exam_authority');
  const refusals = cls.findings.filter((f) => f.severity === 'refuse').length;
  const warnings = cls.findings.length - refusals;
  const tabs = [
    {
      key: 'overview',
      label: t('training.tabs.overview'),
      children: <OverviewTab cls={cls} findingsFirst={supervising} />,
    },
    {
      key: 'plan',
      label: t('training.tabs.plan'),
      children: <PlanTab cls={cls} canEdit={canEdit} />,
    },
    {
      key: 'roster',
      label: `${t('training.tabs.roster')} (${cls.roster.length})`,
      children: <RosterTab cls={cls} canEdit={canEdit} />,
    },
    {
      key: 'attendance',
      label: t('training.tabs.attendance'),
      children: <AttendanceTab cls={cls} canEdit={canEdit} />,
    },
    { key: 'coverage', label: t('training.tabs.coverage'), children: <CoverageTab cls={cls} /> },
    { key: 'ledger', label: t('training.tabs.ledger'), children: <LedgerTab cls={cls} /> },
    {
      key: 'archive',
      label: t('training.tabs.archive'),
      children: <ArchiveTab cls={cls} canEdit={canEdit} />,
    },
  ];
  // Supervisors come for the findings and the hours: the ledger right after the overview.
  if (supervising) tabs.splice(1, 0, ...tabs.splice(5, 1));
  const active = tabs.some((x) => x.key === params.get('tab')) ? params.get('tab')! : 'overview';
  return (
    <>
      <Card
        title={
          <Space wrap>
            <span>{cls.name}</span>
            <Tag
              color={classPhaseColor[cls.phase]}
              data-testid="class-phase"
              data-phase={cls.phase}
            >
              {t(`training.phases.${cls.phase}`)}
            </Tag>
          </Space>
        }
        extra={
          <Space wrap size={4}>
            {refusals > 0 && (
              <Tag color="red">{`${t('training.findingSeverity.refuse')} ${refusals}`}</Tag>
            )}
            {warnings > 0 && (
              <Tag color="orange">{`${t('training.findingSeverity.warn')} ${warnings}`}</Tag>
            )}
            {!isOwner && !isPhone && (
              <Typography.Text type="secondary">{t('training.readOnly')}</Typography.Text>
            )}
          </Space>
        }
      >
        <Descriptions column={isPhone ? 1 : 3} size="small" bordered>
          <Descriptions.Item label={t('training.code')}>
            <Typography.Text copyable>{cls.code}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('training.organization')}>
            {hasAnyRole(me, 'regulator', 'inspector', 'exam_authority', 'training_institution') ? (
              <Link to={`/organizations/${cls.organizationId}`}>{cls.organizationName}</Link>
            ) : (
              cls.organizationName
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('training.item')}>
            {itemLabel(cls.operationItemCode)}
          </Descriptions.Item>
          <Descriptions.Item label={t('training.kind')}>
            {t(`training.kinds.${cls.kind}`)}
          </Descriptions.Item>
          <Descriptions.Item
            label={t('training.period')}
          >{`${cls.startDate} ~ ${cls.endDate}`}</Descriptions.Item>
          <Descriptions.Item label={t('training.headTeacher')}>
            {cls.headTeacherName}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card style={{ marginTop: 12 }} styles={{ body: { paddingTop: 4 } }}>
        <Tabs
          activeKey={active}
          onChange={(tab) =>
            setParams(
              (p) => {
                const next = new URLSearchParams(p);
                next.set('tab', tab);
                next.delete('lesson');
                return next;
              },
              { replace: true },
            )
          }
          items={tabs}
          destroyOnHidden
        />
      </Card>
    </>
  );
}
