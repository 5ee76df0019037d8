import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  DatePicker,
  Form,
  Input,
  List,
  Modal,
  Radio,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  TimePicker,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { type HTMLAttributes, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ApiErrorDetail, api } from '../../lib/api-client';
import { itemLabel } from '../../lib/catalog';
import { useIsPhone } from '../../lib/use-media';
import {
  type ClassDetail,
  errorText,
  fmtSpan,
  type Lesson,
  ModeTag,
  severityColor,
  showFieldErrors,
} from './shared';
import { teacherLabel, useRooms, useTeachers } from './use-institution';

interface Values {
  content: 'theory' | 'practical';
  online: boolean;
  topic: string;
  teacherId: string;
  roomId?: string;
  date: Dayjs;
  time: [Dayjs, Dayjs];
}

interface PlanResult {
  id: string;
  warnings: { rule: string; message: string }[];
}

/** Rule refusals and warnings, one line per rule, its code beside it. */
export function RuleList({
  items,
  color,
}: {
  items: { rule?: string; code?: string; message: string }[];
  color: string;
}) {
  return (
    <ul style={{ margin: 0, paddingLeft: 18 }}>
      {items.map((d) => (
        <li
          key={`${d.rule ?? d.code}-${d.message}`}
          data-testid="rule-item"
          data-rule={d.rule ?? d.code}
        >
          <Typography.Text style={{ color }}>{d.message}</Typography.Text>
        </li>
      ))}
    </ul>
  );
}

const at = (date: Dayjs, time: Dayjs) =>
  date.hour(time.hour()).minute(time.minute()).second(0).millisecond(0);

/** 排课: the server checks every planning rule of the policy in force and answers each one that fails. */
function LessonModal({
  cls,
  onClose,
  onPlanned,
}: {
  cls: ClassDetail;
  onClose: () => void;
  onPlanned: (r: PlanResult) => void;
}) {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const online = Form.useWatch('online', form);
  const teachers = useTeachers(cls.organizationId);
  const rooms = useRooms(cls.organizationId);
  const [failure, setFailure] = useState<{ message: string; details: ApiErrorDetail[] } | null>(
    null,
  );
  const today = dayjs().format('YYYY-MM-DD');
  const initialDate = dayjs(today >= cls.startDate && today <= cls.endDate ? today : cls.startDate);
  const plan = useMutation({
    mutationFn: (v: Values) =>
      api.post<PlanResult>(`/api/classes/${cls.id}/lessons`, {
        content: v.content,
        online: v.online,
        topic: v.topic.trim(),
        teacherId: v.teacherId,
        roomId: v.online ? null : (v.roomId ?? null),
        startsAt: at(v.date, v.time[0]).toISOString(),
        endsAt: at(v.date, v.time[1]).toISOString(),
      }),
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: ['class', cls.id] });
      onPlanned(r);
    },
    onError: (e) => {
      // Broken rules (with their code) are listed; a bad field is marked where it is.
      const rest = showFieldErrors(form, e, (name, d) => {
        if (d.code) return null;
        if (name[0] === 'startsAt' || name[0] === 'endsAt') return ['time'];
        if (
          name.length === 1 &&
          ['topic', 'teacherId', 'roomId', 'content', 'online'].includes(String(name[0]))
        )
          return name;
        return null;
      });
      setFailure({ message: errorText(e), details: rest });
    },
  });
  return (
    <Modal
      open
      title={t('training.lesson.planTitle')}
      onCancel={onClose}
      footer={null}
      width={isPhone ? '100%' : 640}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{
          content: 'theory',
          online: false,
          date: initialDate,
          time: [initialDate.hour(8).minute(30), initialDate.hour(11).minute(30)],
        }}
        onValuesChange={() => setFailure(null)}
        onFinish={(v) => {
          setFailure(null);
          plan.mutate(v);
        }}
      >
        {failure && (
          <Alert
            type="error"
            showIcon
            data-testid="lesson-refused"
            message={failure.details.length > 0 ? t('training.lesson.refused') : failure.message}
            description={
              failure.details.length > 0 && <RuleList items={failure.details} color="red" />
            }
            style={{ marginBottom: 16 }}
          />
        )}
        <Space wrap align="start">
          <Form.Item
            name="content"
            label={t('training.lesson.content')}
            rules={[{ required: true }]}
          >
            <Radio.Group
              optionType="button"
              options={(['theory', 'practical'] as const).map((c) => ({
                value: c,
                label: t(`training.lesson.contents.${c}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="online"
            label={t('training.lesson.online')}
            valuePropName="checked"
            tooltip={t('training.lesson.onlineHint')}
          >
            <Switch data-testid="lesson-online" />
          </Form.Item>
        </Space>
        <Form.Item
          name="topic"
          label={t('training.lesson.topic')}
          rules={[{ required: true, max: 200 }]}
        >
          <Input />
        </Form.Item>
        <Form.Item
          name="teacherId"
          label={t('training.lesson.teacher')}
          rules={[{ required: true }]}
        >
          <Select
            showSearch
            optionFilterProp="label"
            loading={teachers.isLoading}
            options={(teachers.data ?? []).map((x) => ({
              value: x.personId,
              label: teacherLabel(t, x, itemLabel),
            }))}
          />
        </Form.Item>
        {!online && (
          <Form.Item name="roomId" label={t('training.lesson.room')}>
            <Select
              allowClear
              loading={rooms.isLoading}
              options={(rooms.data?.items ?? []).map((r) => ({
                value: r.id,
                label: r.capacity ? `${r.name}（${r.capacity}）` : r.name,
              }))}
            />
          </Form.Item>
        )}
        <Space wrap align="start">
          <Form.Item name="date" label={t('training.lesson.date')} rules={[{ required: true }]}>
            <DatePicker inputReadOnly={isPhone} />
          </Form.Item>
          <Form.Item name="time" label={t('training.lesson.hours')} rules={[{ required: true }]}>
            <TimePicker.RangePicker format="HH:mm" minuteStep={5} inputReadOnly={isPhone} />
          </Form.Item>
        </Space>
        <Space style={{ display: 'flex', justifyContent: 'flex-end' }}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button
            type="primary"
            htmlType="submit"
            loading={plan.isPending}
            data-testid="lesson-submit"
          >
            {t('training.lesson.submit')}
          </Button>
        </Space>
      </Form>
    </Modal>
  );
}

/** The lesson's stored warnings and what the plan check finds now, without repeats. */
function lessonIssues(cls: ClassDetail, l: Lesson) {
  const out = new Map<string, { rule: string; message: string; severity: string }>();
  for (const f of cls.findings.filter((x) => x.lessonId === l.id)) out.set(f.message, f);
  for (const w of l.warnings)
    if (!out.has(w.message)) out.set(w.message, { ...w, severity: 'warn' });
  return [...out.values()];
}

function Issues({ cls, lesson }: { cls: ClassDetail; lesson: Lesson }) {
  const { t } = useTranslation();
  const issues = lessonIssues(cls, lesson);
  if (issues.length === 0) return null;
  return (
    <Space direction="vertical" size={2}>
      {issues.map((i) => (
        <span key={i.message}>
          <Tag color={severityColor[i.severity]}>{t(`training.findingSeverity.${i.severity}`)}</Tag>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {i.message}
          </Typography.Text>
        </span>
      ))}
    </Space>
  );
}

/** 教学计划: the lessons in time order; the institution plans more while the class is open. */
export function PlanTab({ cls, canEdit }: { cls: ClassDetail; canEdit: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const isPhone = useIsPhone();
  const [open, setOpen] = useState(false);
  const [last, setLast] = useState<PlanResult | null>(null);
  return (
    <>
      {canEdit && (
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setOpen(true)}
          style={{ marginBottom: 12 }}
          data-testid="lesson-plan"
        >
          {t('training.lesson.plan')}
        </Button>
      )}
      {last && last.warnings.length > 0 && (
        <Alert
          type="warning"
          showIcon
          closable
          onClose={() => setLast(null)}
          message={t('training.lesson.plannedWithWarnings', { count: last.warnings.length })}
          description={<RuleList items={last.warnings} color="orange" />}
          style={{ marginBottom: 12 }}
          data-testid="lesson-warnings"
        />
      )}
      {isPhone ? (
        <List
          dataSource={cls.lessons}
          locale={{ emptyText: t('training.lesson.noLessons') }}
          renderItem={(l) => (
            <List.Item data-testid="lesson-row" data-lesson-id={l.id}>
              <Space direction="vertical" size={2} style={{ width: '100%' }}>
                <Space wrap size={4}>
                  <ModeTag mode={l.mode} />
                  <Typography.Text strong>{l.topic}</Typography.Text>
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {`${fmtSpan(l.startsAt, l.endsAt)} · ${l.teacherName}${l.roomName ? ` · ${l.roomName}` : ''}`}
                </Typography.Text>
                <Issues cls={cls} lesson={l} />
              </Space>
            </List.Item>
          )}
        />
      ) : (
        <Table<Lesson>
          rowKey="id"
          size="small"
          scroll={{ x: true }}
          dataSource={cls.lessons}
          pagination={cls.lessons.length > 50 ? { pageSize: 50 } : false}
          locale={{ emptyText: t('training.lesson.noLessons') }}
          onRow={(l) =>
            ({ 'data-testid': 'lesson-row', 'data-lesson-id': l.id }) as HTMLAttributes<HTMLElement>
          }
          columns={[
            {
              title: t('training.lesson.time'),
              key: 'time',
              render: (_, l) => fmtSpan(l.startsAt, l.endsAt),
            },
            {
              title: t('training.lesson.mode'),
              dataIndex: 'mode',
              render: (m: string) => <ModeTag mode={m} />,
            },
            { title: t('training.lesson.topic'), dataIndex: 'topic' },
            { title: t('training.lesson.teacher'), dataIndex: 'teacherName' },
            {
              title: t('training.lesson.room'),
              dataIndex: 'roomName',
              render: (r: string | null) => r ?? '—',
            },
            {
              title: t('training.lesson.warnings'),
              key: 'issues',
              render: (_, l) => <Issues cls={cls} lesson={l} />,
            },
          ]}
        />
      )}
      {open && (
        <LessonModal
          cls={cls}
          onClose={() => setOpen(false)}
          onPlanned={(r) => {
            setOpen(false);
            setLast(r);
            if (r.warnings.length === 0) message.success(t('training.lesson.planned'));
          }}
        />
      )}
    </>
  );
}
