import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Descriptions,
  Form,
  Input,
  List,
  Modal,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import {
  type ArchiveChecklistSchema,
  type ArchiveVerifySchema,
  archiveDocumentParts,
} from '../../../../src/modules/training/archive.contract.js';
import { api } from '../../lib/api-client';
import { type ClassDetail, errorText, fmtDateTime, isNotAvailable } from './shared';

type Checklist = z.infer<typeof ArchiveChecklistSchema>;
type Verify = z.infer<typeof ArchiveVerifySchema>;

/** 一期一档: what the archive has and lacks; documents; closing seals it; download and verify. */
export function ArchiveTab({ cls, canEdit }: { cls: ClassDetail; canEdit: boolean }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const [adding, setAdding] = useState(false);
  const checklist = useQuery({
    queryKey: ['archive', cls.id],
    queryFn: () => api.get<Checklist>(`/api/classes/${cls.id}/archive`),
  });
  const verify = useMutation({
    mutationFn: () => api.get<Verify>(`/api/classes/${cls.id}/archive/verify`),
  });
  const close = useMutation({
    mutationFn: () => api.post(`/api/classes/${cls.id}/close`, {}),
    onSuccess: () => {
      message.success(t('training.archive.closed'));
      qc.invalidateQueries({ queryKey: ['archive', cls.id] });
      qc.invalidateQueries({ queryKey: ['class', cls.id] });
    },
  });
  if (checklist.error)
    return (
      <Alert
        type={isNotAvailable(checklist.error) ? 'info' : 'error'}
        message={
          isNotAvailable(checklist.error)
            ? t('training.archive.notAvailable')
            : errorText(checklist.error)
        }
      />
    );
  const c = checklist.data;
  if (!c) return null;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <List
        header={<strong>{t('training.archive.checklist')}</strong>}
        dataSource={c.parts}
        renderItem={(p) => (
          <List.Item data-testid="archive-part" data-present={p.present}>
            <Space direction="vertical" size={0}>
              <Space>
                <Tag color={p.present ? 'green' : 'red'}>
                  {p.present ? t('training.archive.present') : t('training.archive.missing')}
                </Tag>
                <span>{p.label}</span>
                <Typography.Text type="secondary">
                  {t('training.archive.count', { count: p.count })}
                </Typography.Text>
              </Space>
              {p.missing.map((m) => (
                <Typography.Text key={m} type="danger">
                  {m}
                </Typography.Text>
              ))}
            </Space>
          </List.Item>
        )}
      />
      {c.seal ? (
        <Descriptions size="small" bordered column={1} title={t('training.archive.seal')}>
          <Descriptions.Item label={t('training.archive.sealRoot')}>
            <Typography.Text code copyable>
              {c.seal.root}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('training.archive.sealedAt')}>
            {fmtDateTime(c.seal.sealedAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t('training.archive.leaves')}>
            {c.seal.leaves}
          </Descriptions.Item>
        </Descriptions>
      ) : (
        <Typography.Text type="secondary">{t('training.archive.notSealed')}</Typography.Text>
      )}
      <Space wrap>
        {canEdit && (
          <Button onClick={() => setAdding(true)}>{t('training.archive.addDocument')}</Button>
        )}
        {canEdit && (
          <Button
            type="primary"
            danger
            disabled={!c.complete}
            loading={close.isPending}
            onClick={() =>
              modal.confirm({
                title: t('training.archive.close'),
                content: t('training.archive.closeConfirm'),
                onOk: () => close.mutateAsync(),
              })
            }
          >
            {t('training.archive.close')}
          </Button>
        )}
        {c.seal && (
          <Button href={`/api/classes/${cls.id}/archive.zip`} target="_blank">
            {t('training.archive.download')}
          </Button>
        )}
        {c.seal && (
          <Button loading={verify.isPending} onClick={() => verify.mutate()}>
            {t('training.archive.verify')}
          </Button>
        )}
      </Space>
      {close.error && <Alert type="error" message={errorText(close.error)} />}
      {verify.data && (
        <Alert
          type={verify.data.ok ? 'success' : 'error'}
          message={
            verify.data.ok ? t('training.archive.verifyOk') : t('training.archive.verifyFailed')
          }
          description={
            verify.data.ok ? undefined : (
              <ul style={{ margin: 0, paddingLeft: 18 }} data-testid="archive-verify-problems">
                {[
                  ...verify.data.changed.map((r) => r.description),
                  ...verify.data.added.map((r) => r.description),
                  ...verify.data.removed.map((r) => r.description),
                  ...verify.data.problems.map((p) => p.message),
                ].map((line, i) => (
                  // Lines may repeat (two identical edits); their order is the server's.
                  // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list rendered once
                  <li key={i}>{line}</li>
                ))}
              </ul>
            )
          }
        />
      )}
      {adding && <DocumentDialog classId={cls.id} onClose={() => setAdding(false)} />}
    </Space>
  );
}

function DocumentDialog({ classId, onClose }: { classId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ part: string; title: string; content: string }>();
  const save = useMutation({
    mutationFn: (v: { part: string; title: string; content: string }) =>
      api.post(`/api/classes/${classId}/documents`, v),
    onSuccess: () => {
      message.success(t('training.archive.added'));
      qc.invalidateQueries({ queryKey: ['archive', classId] });
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t('training.archive.addDocument')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
    >
      {save.error && (
        <Alert type="error" message={errorText(save.error)} style={{ marginBottom: 12 }} />
      )}
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
        <Form.Item name="part" label={t('training.archive.part')} rules={[{ required: true }]}>
          <Select
            options={archiveDocumentParts.map((p) => ({
              value: p,
              label: t(`training.archive.parts.${p}`),
            }))}
          />
        </Form.Item>
        <Form.Item
          name="title"
          label={t('training.archive.documentTitle')}
          rules={[{ required: true, whitespace: true }]}
        >
          <Input />
        </Form.Item>
        <Form.Item
          name="content"
          label={t('training.archive.documentContent')}
          rules={[{ required: true, whitespace: true }]}
        >
          <Input.TextArea rows={6} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
