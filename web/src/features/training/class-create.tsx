import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, DatePicker, Drawer, Form, Input, Select, Space } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { syllabusFor } from '../../../../src/catalog/figures.js';
import {
  competencyCategories,
  listOperationItems,
  operationCategories,
} from '../../../../src/catalog/operations.js';
import { useAuth } from '../../app/auth';
import { type ApiErrorDetail, api } from '../../lib/api-client';
import { itemLabel } from '../../lib/catalog';
import { useIsPhone } from '../../lib/use-media';
import { classKinds, errorText, showFieldErrors } from './shared';
import { cleanTrainees, TraineeListField, type TraineeRow } from './trainee-input';
import { teacherLabel, useTeachers } from './use-institution';

interface Values {
  code: string;
  name: string;
  operationItemCode: string;
  kind: (typeof classKinds)[number];
  headTeacherId: string;
  dates: [Dayjs, Dayjs];
  trainees?: TraineeRow[];
}

const fields = ['code', 'name', 'operationItemCode', 'kind', 'headTeacherId'];

/** Special-operation items by category, then the competency categories of principals and safety managers. */
function itemOptions(competencyLabel: string) {
  const items = listOperationItems();
  return [
    ...operationCategories.map((c) => ({
      label: c.name,
      options: items
        .filter((i) => i.categoryCode === c.code)
        .map((i) => ({ value: i.code, label: `${i.code} ${i.name}` })),
    })),
    {
      label: competencyLabel,
      options: competencyCategories.map((c) => ({ value: c.code, label: c.name })),
    },
  ];
}

function SyllabusHint() {
  const { t } = useTranslation();
  const form = Form.useFormInstance<Values>();
  const code = Form.useWatch('operationItemCode', form);
  const kind = Form.useWatch('kind', form);
  if (!code || !kind) return null;
  const s = syllabusFor(code, kind);
  if ('refused' in s)
    return <Alert type="error" showIcon message={s.refused} style={{ marginBottom: 16 }} />;
  return (
    <Alert
      type="info"
      showIcon
      message={t('training.create.syllabus', {
        theory: s.theory.value,
        practical: s.practical.value,
      })}
      style={{ marginBottom: 16 }}
    />
  );
}

/** 开班: one operation item and one kind of training per class (初训与复训不得混编), trainees pasted or typed. */
export function ClassCreateDrawer({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const isPhone = useIsPhone();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [failure, setFailure] = useState<{ message: string; details: ApiErrorDetail[] } | null>(
    null,
  );
  const teachers = useTeachers(me?.organizationId);
  const create = useMutation({
    mutationFn: (v: Values) =>
      api.post<{ id: string; code: string }>('/api/classes', {
        code: v.code.trim(),
        name: v.name.trim(),
        operationItemCode: v.operationItemCode,
        kind: v.kind,
        headTeacherId: v.headTeacherId,
        startDate: v.dates[0].format('YYYY-MM-DD'),
        endDate: v.dates[1].format('YYYY-MM-DD'),
        trainees: cleanTrainees(v.trainees),
      }),
    onSuccess: async (r) => {
      message.success(t('training.create.created', { code: r.code }));
      await qc.invalidateQueries({ queryKey: ['classes'] });
      onClose();
      navigate(`/classes/${r.id}`);
    },
    onError: (e) => {
      const rest = showFieldErrors(form, e, (name) => {
        if (name[0] === 'startDate' || name[0] === 'endDate') return ['dates'];
        if (name.length === 1 && fields.includes(String(name[0]))) return name;
        if (name[0] === 'trainees' && name.length === 3 && typeof name[1] === 'number') return name;
        return null;
      });
      setFailure({ message: errorText(e), details: rest });
    },
  });
  return (
    <Drawer
      open
      title={t('training.create.title')}
      onClose={onClose}
      width={isPhone ? '100%' : 760}
      destroyOnHidden
      extra={
        <Button
          type="primary"
          loading={create.isPending}
          onClick={() => form.submit()}
          data-testid="class-create-submit"
        >
          {t('training.create.submit')}
        </Button>
      }
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ kind: 'initial', trainees: [] }}
        onValuesChange={() => setFailure(null)}
        onFinish={(v) => {
          setFailure(null);
          create.mutate(v);
        }}
      >
        {failure && (
          <Alert
            type="error"
            showIcon
            message={failure.message}
            description={
              failure.details.length > 0 && (
                <ul style={{ margin: 0, paddingLeft: 18 }}>
                  {failure.details.map((d) => (
                    <li key={`${d.path}-${d.code}-${d.message}`} data-code={d.code}>
                      {d.message}
                    </li>
                  ))}
                </ul>
              )
            }
            style={{ marginBottom: 16 }}
          />
        )}
        <Space wrap style={{ width: '100%' }} align="start">
          <Form.Item name="code" label={t('training.code')} rules={[{ required: true, max: 50 }]}>
            <Input
              placeholder={t('training.create.codePlaceholder')}
              style={{ width: isPhone ? 300 : 220 }}
            />
          </Form.Item>
          <Form.Item name="name" label={t('training.name')} rules={[{ required: true, max: 200 }]}>
            <Input style={{ width: isPhone ? 300 : 440 }} />
          </Form.Item>
        </Space>
        <Space wrap style={{ width: '100%' }} align="start">
          <Form.Item
            name="operationItemCode"
            label={t('training.item')}
            rules={[{ required: true }]}
          >
            <Select
              showSearch
              optionFilterProp="label"
              options={itemOptions(t('training.competency'))}
              style={{ width: isPhone ? 300 : 440 }}
            />
          </Form.Item>
          <Form.Item name="kind" label={t('training.kind')} rules={[{ required: true }]}>
            <Select
              options={classKinds.map((k) => ({ value: k, label: t(`training.kinds.${k}`) }))}
              style={{ width: 140 }}
            />
          </Form.Item>
        </Space>
        <SyllabusHint />
        <Space wrap style={{ width: '100%' }} align="start">
          <Form.Item
            name="headTeacherId"
            label={t('training.headTeacher')}
            rules={[{ required: true }]}
            extra={
              teachers.data && teachers.data.length === 0
                ? t('training.create.noTeachers')
                : undefined
            }
          >
            <Select
              showSearch
              optionFilterProp="label"
              loading={teachers.isLoading}
              options={(teachers.data ?? []).map((x) => ({
                value: x.personId,
                label: teacherLabel(t, x, itemLabel),
              }))}
              style={{ width: isPhone ? 300 : 440 }}
            />
          </Form.Item>
          <Form.Item name="dates" label={t('training.period')} rules={[{ required: true }]}>
            <DatePicker.RangePicker
              style={{ width: isPhone ? 300 : 260 }}
              inputReadOnly={isPhone}
            />
          </Form.Item>
        </Space>
        <TraineeListField />
      </Form>
    </Drawer>
  );
}
