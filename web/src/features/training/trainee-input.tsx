import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsPhone } from '../../lib/use-media';
import { classKinds } from './shared';

export interface TraineeRow {
  idNumber: string;
  name: string;
  trainingKind?: (typeof classKinds)[number];
}

const kindWords: Record<string, TraineeRow['trainingKind']> = {
  初训: 'initial',
  initial: 'initial',
  再培训: 'refresher',
  refresher: 'refresher',
  复审: 'review',
  复审培训: 'review',
  复训: 'review',
  review: 'review',
};
const idPattern = /^(\d{17}[\dXx]|\d{15})$/;

/** One trainee per line, in any column order a spreadsheet gives: ID number, name, optional kind. */
export function parseTrainees(text: string): { rows: TraineeRow[]; unparsed: number } {
  const rows: TraineeRow[] = [];
  let unparsed = 0;
  for (const line of text.split(/\r?\n/)) {
    const tokens = line.split(/[\s,，;；、]+/).filter(Boolean);
    if (tokens.length === 0) continue;
    const idNumber = tokens.find((x) => idPattern.test(x));
    const kindToken = tokens.find((x) => kindWords[x.toLowerCase()] || kindWords[x]);
    const name = tokens.find((x) => x !== idNumber && x !== kindToken && !/^\d+$/.test(x));
    if (!idNumber || !name) {
      unparsed++;
      continue;
    }
    rows.push({
      idNumber: idNumber.toUpperCase(),
      name,
      trainingKind: kindToken
        ? (kindWords[kindToken] ?? kindWords[kindToken.toLowerCase()])
        : undefined,
    });
  }
  return { rows, unparsed };
}

/**
 * The trainees of a class inside a form (field `trainees`): paste a list or type rows. The server
 * answers per row (`body.trainees.3.idNumber`), and the message shows on that row.
 */
export function TraineeListField() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const isPhone = useIsPhone();
  const form = Form.useFormInstance();
  const [text, setText] = useState('');
  const addParsed = () => {
    const { rows, unparsed } = parseTrainees(text);
    if (rows.length > 0) {
      const existing: TraineeRow[] = form.getFieldValue('trainees') ?? [];
      form.setFieldValue('trainees', [...existing.filter((r) => r?.idNumber || r?.name), ...rows]);
      message.success(t('training.traineeInput.parsed', { count: rows.length }));
      setText('');
    }
    if (unparsed > 0) message.warning(t('training.traineeInput.unparsed', { count: unparsed }));
  };
  return (
    <>
      <Form.Item
        label={t('training.traineeInput.paste')}
        extra={t('training.traineeInput.pasteHint')}
        style={{ marginBottom: 8 }}
      >
        <Input.TextArea
          rows={3}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={'370902199001011234 张三 初训'}
        />
      </Form.Item>
      <Button onClick={addParsed} disabled={!text.trim()} style={{ marginBottom: 12 }}>
        {t('training.traineeInput.parse')}
      </Button>
      <Form.List name="trainees">
        {(fields, { add, remove }) => (
          <>
            {fields.length === 0 && (
              <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
                {t('training.traineeInput.empty')}
              </Typography.Paragraph>
            )}
            {fields.map((field, i) => (
              <Space
                key={field.key}
                align="start"
                wrap={isPhone}
                style={{ display: 'flex', marginBottom: isPhone ? 12 : 0 }}
                data-testid="trainee-input-row"
              >
                <Typography.Text
                  type="secondary"
                  style={{ display: 'inline-block', width: 24, lineHeight: '32px' }}
                >
                  {i + 1}
                </Typography.Text>
                <Form.Item
                  name={[field.name, 'idNumber']}
                  rules={[{ required: true, message: t('training.traineeInput.idNumber') }]}
                  style={{ marginBottom: 8, width: isPhone ? 230 : 200 }}
                >
                  <Input placeholder={t('training.traineeInput.idNumber')} maxLength={18} />
                </Form.Item>
                <Form.Item
                  name={[field.name, 'name']}
                  rules={[{ required: true, message: t('training.traineeInput.name') }]}
                  style={{ marginBottom: 8, width: 110 }}
                >
                  <Input placeholder={t('training.traineeInput.name')} maxLength={50} />
                </Form.Item>
                <Form.Item
                  name={[field.name, 'trainingKind']}
                  style={{ marginBottom: 8, width: isPhone ? 230 : 160 }}
                >
                  <Select
                    allowClear
                    placeholder={t('training.traineeInput.sameAsClass')}
                    options={classKinds.map((k) => ({ value: k, label: t(`training.kinds.${k}`) }))}
                  />
                </Form.Item>
                <Button
                  type="text"
                  icon={<DeleteOutlined />}
                  aria-label={t('training.traineeInput.remove')}
                  onClick={() => remove(field.name)}
                />
              </Space>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} block>
              {t('training.traineeInput.add')}
            </Button>
          </>
        )}
      </Form.List>
    </>
  );
}

/** Every row is sent in order (the form requires ID number and name), so the server's row index is the form's. */
export function cleanTrainees(rows: (TraineeRow | undefined)[] | undefined): TraineeRow[] {
  return (rows ?? []).map((r) => ({
    idNumber: (r?.idNumber ?? '').trim().toUpperCase(),
    name: (r?.name ?? '').trim(),
    ...(r?.trainingKind ? { trainingKind: r.trainingKind } : {}),
  }));
}
