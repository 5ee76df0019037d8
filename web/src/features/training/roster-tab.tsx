import { UserAddOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, List, Modal, Table } from 'antd';
import { type HTMLAttributes, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { hasAnyRole, useAuth } from '../../app/auth';
import { type ApiErrorDetail, api } from '../../lib/api-client';
import { useIsPhone } from '../../lib/use-media';
import { RuleList } from './plan-tab';
import { type ClassDetail, errorText, showFieldErrors } from './shared';
import { cleanTrainees, TraineeListField, type TraineeRow } from './trainee-input';

type RosterLine = ClassDetail['roster'][number];

/** 编入本班: more trainees for an open class; the same per-row answers as at opening. */
function EnrolModal({ cls, onClose }: { cls: ClassDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const isPhone = useIsPhone();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ trainees: TraineeRow[] }>();
  const [failure, setFailure] = useState<{ message: string; details: ApiErrorDetail[] } | null>(
    null,
  );
  const enrol = useMutation({
    mutationFn: (v: { trainees: TraineeRow[] }) =>
      api.post<{ enrolled: number }>(`/api/classes/${cls.id}/trainees`, {
        trainees: cleanTrainees(v.trainees),
      }),
    onSuccess: async (r) => {
      message.success(t('training.traineeInput.enrolled', { count: r.enrolled }));
      await qc.invalidateQueries({ queryKey: ['class', cls.id] });
      await qc.invalidateQueries({ queryKey: ['ledger', cls.id] });
      onClose();
    },
    onError: (e) => {
      const rest = showFieldErrors(form, e, (name) =>
        name[0] === 'trainees' && name.length === 3 && typeof name[1] === 'number' ? name : null,
      );
      setFailure({ message: errorText(e), details: rest });
    },
  });
  return (
    <Modal
      open
      title={t('training.roster.add')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('training.traineeInput.enrol')}
      cancelText={t('common.cancel')}
      confirmLoading={enrol.isPending}
      width={isPhone ? '100%' : 680}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ trainees: [{}] }}
        onValuesChange={() => setFailure(null)}
        onFinish={(v) => enrol.mutate(v)}
      >
        {failure && (
          <Alert
            type="error"
            showIcon
            message={failure.message}
            description={
              failure.details.length > 0 && <RuleList items={failure.details} color="red" />
            }
            style={{ marginBottom: 16 }}
          />
        )}
        <TraineeListField />
      </Form>
    </Modal>
  );
}

/** 花名册: who is in the class (ID numbers masked). */
export function RosterTab({ cls, canEdit }: { cls: ClassDetail; canEdit: boolean }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const isPhone = useIsPhone();
  const [adding, setAdding] = useState(false);
  // Persons' files are open to those who manage or supervise them; a worker never sees this page.
  const canOpenPersons = hasAnyRole(
    me,
    'regulator',
    'inspector',
    'exam_authority',
    'training_institution',
    'enterprise',
  );
  const name = (r: RosterLine) =>
    canOpenPersons ? <Link to={`/persons/${r.personId}`}>{r.name}</Link> : r.name;
  return (
    <>
      {canEdit && (
        <Button
          icon={<UserAddOutlined />}
          onClick={() => setAdding(true)}
          style={{ marginBottom: 12 }}
          data-testid="roster-add"
        >
          {t('training.roster.add')}
        </Button>
      )}
      {isPhone ? (
        <List
          dataSource={cls.roster}
          locale={{ emptyText: t('training.roster.empty') }}
          renderItem={(r) => (
            <List.Item data-testid="trainee-row" data-person-id={r.personId}>
              <List.Item.Meta title={name(r)} description={r.idNumberMasked} />
            </List.Item>
          )}
        />
      ) : (
        <Table<RosterLine>
          rowKey="personId"
          size="small"
          dataSource={cls.roster}
          pagination={cls.roster.length > 50 ? { pageSize: 50 } : false}
          locale={{ emptyText: t('training.roster.empty') }}
          onRow={(r) =>
            ({
              'data-testid': 'trainee-row',
              'data-person-id': r.personId,
            }) as HTMLAttributes<HTMLElement>
          }
          columns={[
            { title: '#', key: 'n', width: 56, render: (_, __, i) => i + 1 },
            { title: t('person.name'), key: 'name', render: (_, r) => name(r) },
            { title: t('training.roster.idNumber'), dataIndex: 'idNumberMasked' },
          ]}
        />
      )}
      {adding && <EnrolModal cls={cls} onClose={() => setAdding(false)} />}
    </>
  );
}
