import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Input,
  List,
  Modal,
  Result,
  Select,
  Skeleton,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { z } from 'zod';
import type {
  EmploymentViewSchema,
  OrganizationDetailSchema,
  StaffViewSchema,
} from '../../../../src/modules/registry/registry.contract.js';
import { organizationStatuses } from '../../../../src/modules/registry/registry.contract.js';
import { hasAnyRole, useAuth } from '../../app/auth';
import { ApiError, api, type Page } from '../../lib/api-client';
import { itemLabel } from '../../lib/catalog';
import { useIsPhone } from '../../lib/use-media';
import { ProblemTags, statusColor } from './organizations-page';

type Detail = z.infer<typeof OrganizationDetailSchema>;
type Exemption = Detail['registrationExemptions'][number];
type Staff = z.infer<typeof StaffViewSchema>;
type Employment = z.infer<typeof EmploymentViewSchema>;

function RegistrationCheckCard({ check }: { check: NonNullable<Detail['registrationCheck']> }) {
  const { t } = useTranslation();
  const blocking = check.findings.filter((f) => f.severity === 'blocking').length;
  return (
    <Card title={t('org.registrationCheck')} style={{ marginTop: 12 }}>
      <Typography.Paragraph type="secondary">
        {t('org.policyApplied', { profiles: check.policy.map((p) => p.version).join(' → ') })}
      </Typography.Paragraph>
      {check.findings.length === 0 ? (
        <Result status="success" title={t('org.checkPassed')} />
      ) : (
        <>
          <Result
            status={blocking > 0 ? 'error' : 'warning'}
            title={t('org.checkFailed', { count: check.findings.length })}
            style={{ padding: 12 }}
          />
          <List
            dataSource={check.findings}
            renderItem={(f) => (
              <List.Item>
                {/* The message names the figure and the fact (专职管理人员3人，少于5人); codes stay in the API. */}
                <Space wrap>
                  <Tag color={f.severity === 'blocking' ? 'red' : 'orange'}>
                    {t(`severity.${f.severity}`)}
                  </Tag>
                  <Typography.Text>{f.message}</Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        </>
      )}
    </Card>
  );
}

/**
 * May the institution open a new class today (Shandong: 未经信息登记不得新开展培训业务), and the
 * regulator's decisions that allow it despite a failing registration check.
 */
function NewClassCard({ org }: { org: Detail }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [granting, setGranting] = useState(false);
  const gate = org.newClassGate;
  const revoke = useMutation({
    mutationFn: (v: { id: string; reason: string }) =>
      api.post(`/api/organizations/${org.id}/registration-exemptions/${v.id}/revoke`, {
        reason: v.reason,
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['organization', org.id] }),
    onError: (e) => message.error(e instanceof ApiError ? e.message : String(e)),
  });
  const { modal } = App.useApp();
  if (!gate) return null;
  const isRegulator = hasAnyRole(me, 'regulator');
  const state = !gate.required
    ? { type: 'info' as const, text: t('exemption.notRequired') }
    : !gate.allowed
      ? { type: 'error' as const, text: t('exemption.blocked') }
      : gate.exemptionId
        ? { type: 'warning' as const, text: t('exemption.allowedByDecision') }
        : { type: 'success' as const, text: t('exemption.allowed') };
  const askRevoke = (e: Exemption) => {
    let reason = '';
    modal.confirm({
      title: `${t('exemption.revoke')} ${e.decision}`,
      content: (
        <Input.TextArea
          rows={2}
          placeholder={t('exemption.revokeReason')}
          onChange={(ev) => {
            reason = ev.target.value;
          }}
        />
      ),
      okText: t('exemption.revoke'),
      cancelText: t('common.cancel'),
      onOk: () => revoke.mutateAsync({ id: e.id, reason }),
    });
  };
  return (
    <Card
      title={t('exemption.title')}
      style={{ marginTop: 12 }}
      data-testid="new-class-gate"
      extra={
        isRegulator &&
        org.registrationCheck?.passed === false && (
          <Button onClick={() => setGranting(true)}>{t('exemption.grant')}</Button>
        )
      }
    >
      <Alert type={state.type} showIcon message={state.text} />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('exemption.basis', { source: gate.source })}
      </Typography.Paragraph>
      {org.registrationExemptions.length > 0 && (
        <List
          header={t('exemption.history')}
          dataSource={org.registrationExemptions}
          renderItem={(e) => (
            <List.Item
              actions={
                isRegulator && e.revokedAt === null
                  ? [
                      <Button key="revoke" size="small" danger onClick={() => askRevoke(e)}>
                        {t('exemption.revoke')}
                      </Button>,
                    ]
                  : []
              }
            >
              <Space direction="vertical" size={2}>
                <Space wrap>
                  <Typography.Text strong>{e.decision}</Typography.Text>
                  {e.revokedAt ? (
                    <Tag>{t('exemption.revoked')}</Tag>
                  ) : e.inForce ? (
                    <Tag color="green">{t('exemption.inForce')}</Tag>
                  ) : (
                    <Tag>{t('exemption.expired')}</Tag>
                  )}
                </Space>
                <Typography.Text>{e.reason}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('exemption.validity')} {e.validFrom} ~ {e.validTo} · {t('exemption.grantedBy')}{' '}
                  {e.grantedByName}
                  {e.revokedReason ? ` · ${t('exemption.revoked')}：${e.revokedReason}` : ''}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
      {granting && <GrantModal org={org} onClose={() => setGranting(false)} />}
    </Card>
  );
}

function GrantModal({ org, onClose }: { org: Detail; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ decision: string; reason: string; validity: [Dayjs, Dayjs] }>();
  const grant = useMutation({
    mutationFn: (v: { decision: string; reason: string; validity: [Dayjs, Dayjs] }) =>
      api.post(`/api/organizations/${org.id}/registration-exemptions`, {
        decision: v.decision,
        reason: v.reason,
        validFrom: v.validity[0].format('YYYY-MM-DD'),
        validTo: v.validity[1].format('YYYY-MM-DD'),
      }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['organization', org.id] });
      onClose();
    },
    onError: (e) => message.error(e instanceof ApiError ? e.message : String(e)),
  });
  return (
    <Modal
      open
      title={t('exemption.grant')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={grant.isPending}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
    >
      <Form form={form} layout="vertical" onFinish={(v) => grant.mutate(v)}>
        <Form.Item
          name="decision"
          label={t('exemption.decision')}
          rules={[{ required: true, min: 2 }]}
        >
          <Input placeholder={t('exemption.decisionPlaceholder')} />
        </Form.Item>
        <Form.Item name="reason" label={t('exemption.reason')} rules={[{ required: true, min: 2 }]}>
          <Input.TextArea rows={3} placeholder={t('exemption.reasonPlaceholder')} />
        </Form.Item>
        <Form.Item name="validity" label={t('exemption.validity')} rules={[{ required: true }]}>
          <DatePicker.RangePicker style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function StatusModal({ org, onClose }: { org: Detail; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ status: string; decision: string }>();
  const change = useMutation({
    mutationFn: (v: { status: string; decision: string }) =>
      api.post(`/api/organizations/${org.id}/status`, v),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['organization', org.id] });
      onClose();
    },
    onError: (e) => message.error(e instanceof ApiError ? e.message : String(e)),
  });
  return (
    <Modal
      open
      title={t('org.changeStatus')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={change.isPending}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => change.mutate(v)}
        initialValues={{ status: org.status === 'active' ? 'suspended' : 'active' }}
      >
        <Form.Item name="status" label={t('org.status')} rules={[{ required: true }]}>
          <Select
            options={organizationStatuses
              .filter((s) => s !== org.status)
              .map((s) => ({ value: s, label: t(`status.${s}`) }))}
          />
        </Form.Item>
        <Form.Item name="decision" label={t('org.decision')} rules={[{ required: true, min: 2 }]}>
          <Input.TextArea rows={3} placeholder={t('org.decisionPlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function OrganizationDetailPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const { me } = useAuth();
  const isPhone = useIsPhone();
  const [statusOpen, setStatusOpen] = useState(false);
  const [page, setPage] = useState(1);
  const detail = useQuery({
    queryKey: ['organization', id],
    queryFn: () => api.get<Detail>(`/api/organizations/${id}`),
  });
  const employments = useQuery({
    queryKey: ['employments', id, page],
    queryFn: () =>
      api.get<Page<Employment>>(`/api/organizations/${id}/employments`, { page, pageSize: 20 }),
    enabled: detail.data?.kind === 'enterprise',
  });
  if (detail.isLoading) return <Skeleton active />;
  if (detail.error || !detail.data)
    return (
      <Result
        status="404"
        title={detail.error instanceof ApiError ? detail.error.message : t('common.error')}
      />
    );
  const org = detail.data;
  const canChangeStatus = hasAnyRole(me, 'regulator') && org.kind !== 'regulator';
  const personLink = (personId: string, name: string) => (
    <Link to={`/persons/${personId}`}>{name}</Link>
  );
  return (
    <>
      <Card
        title={
          <Space wrap>
            <span>{org.name}</span>
            <Tag color={statusColor[org.status]}>{t(`status.${org.status}`)}</Tag>
            <ProblemTags o={org} />
          </Space>
        }
        extra={
          canChangeStatus && (
            <Button onClick={() => setStatusOpen(true)}>{t('org.changeStatus')}</Button>
          )
        }
      >
        <Descriptions column={isPhone ? 1 : 2} size="small" bordered>
          <Descriptions.Item label={t('org.kind')}>{t(`kind.${org.kind}`)}</Descriptions.Item>
          <Descriptions.Item label={t('org.creditCode')}>
            <Typography.Text copyable>{org.creditCode}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('org.region')}>
            {[...org.regionPath.map((r) => r.name)].join(' / ')}
          </Descriptions.Item>
          <Descriptions.Item label={t('org.industry')}>
            {org.industry ? t(`industry.${org.industry}`) : '—'}{' '}
            {org.highRisk && <Tag color="red">{t('org.highRisk')}</Tag>}
          </Descriptions.Item>
          {org.statusDecision && (
            <Descriptions.Item label={t('org.decision')}>{org.statusDecision}</Descriptions.Item>
          )}
          {org.address && (
            <Descriptions.Item label={t('org.address')}>{org.address}</Descriptions.Item>
          )}
          {org.contactPhone && (
            <Descriptions.Item label={t('org.phone')}>{org.contactPhone}</Descriptions.Item>
          )}
          {org.employeeCount !== null && (
            <Descriptions.Item label={t('org.employees')}>{org.employeeCount}</Descriptions.Item>
          )}
        </Descriptions>
        {(org.problems ?? []).map((p) => (
          <Alert
            key={p.code}
            type="error"
            showIcon
            message={p.message}
            style={{ marginTop: 12 }}
            data-testid="org-problem"
          />
        ))}
      </Card>
      {org.registrationCheck && <RegistrationCheckCard check={org.registrationCheck} />}
      <NewClassCard org={org} />
      {org.staff.length > 0 && (
        <Card title={t('org.staff')} style={{ marginTop: 12 }}>
          <Table<Staff>
            rowKey="id"
            size="small"
            pagination={false}
            scroll={{ x: true }}
            dataSource={org.staff}
            columns={[
              {
                title: t('person.name'),
                key: 'name',
                render: (_, s) => personLink(s.personId, s.personName),
              },
              { title: t('person.duty'), dataIndex: 'duty', render: (d: string) => t(`duty.${d}`) },
              {
                title: '',
                dataIndex: 'fullTime',
                render: (f: boolean) => (f ? t('person.fullTime') : t('person.partTime')),
              },
              { title: t('person.practiceYears'), dataIndex: 'practiceYears' },
              {
                title: t('person.item'),
                dataIndex: 'operationItems',
                render: (items: string[]) => items.map(itemLabel).join('、'),
              },
              { title: t('person.start'), dataIndex: 'startDate' },
              { title: t('person.end'), dataIndex: 'endDate' },
            ]}
          />
        </Card>
      )}
      {org.kind === 'enterprise' && (
        <Card
          title={`${t('org.employments')} (${org.counts.employments})`}
          style={{ marginTop: 12 }}
        >
          <Table<Employment>
            rowKey="id"
            size="small"
            scroll={{ x: true }}
            loading={employments.isFetching}
            dataSource={employments.data?.items ?? []}
            pagination={{
              current: page,
              pageSize: 20,
              total: employments.data?.total ?? 0,
              onChange: setPage,
              simple: isPhone,
            }}
            columns={[
              {
                title: t('person.name'),
                key: 'name',
                render: (_, e) => personLink(e.personId, e.personName),
              },
              { title: t('person.post'), dataIndex: 'post', render: (p: string) => t(`post.${p}`) },
              {
                title: t('person.item'),
                dataIndex: 'operationItemCode',
                render: (c: string | null) => itemLabel(c),
              },
              { title: t('person.start'), dataIndex: 'startDate' },
              {
                title: t('person.end'),
                key: 'end',
                render: (_, e) =>
                  e.endDate ? (
                    <Tag>{`${t('person.leftPost')} ${e.endDate}`}</Tag>
                  ) : (
                    <Tag color="green">{t('person.onPost')}</Tag>
                  ),
              },
            ]}
          />
        </Card>
      )}
      {statusOpen && <StatusModal org={org} onClose={() => setStatusOpen(false)} />}
    </>
  );
}
