import { useQueries, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Checkbox,
  InputNumber,
  List,
  Modal,
  Radio,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../lib/api-client';
import { errorText } from './shared';

interface Sitting {
  id: string;
  personId: string;
  name: string;
  paper: {
    questionId: string;
    kind: 'single' | 'multiple' | 'judge';
    stem: string;
    options: string[];
  }[];
  score: number | null;
  passed: boolean | null;
  submittedAt: string | null;
}
interface SpotExam {
  id: string;
  seed: string;
  population: string;
  itemCode: string | null;
  poolSize: number;
  sittings: Sitting[];
}

const LETTERS = 'ABCDEFGH';

/**
 * 逢查必考 on the inspector's phone: draw N people of the inspected organization at random (the seed
 * is recorded), hand the phone to each for a short paper from the authority's bank; a low pass rate
 * becomes a finding when the inspection is signed.
 */
export function SpotExamCard({
  inspectionId,
  spotExamIds,
  editable,
}: {
  inspectionId: string;
  spotExamIds: string[];
  editable: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [count, setCount] = useState(3);
  const [busy, setBusy] = useState(false);
  const [sitting, setSitting] = useState<{ examId: string; s: Sitting } | null>(null);
  const [answers, setAnswers] = useState<number[][]>([]);
  const exams = useQueries({
    queries: spotExamIds.map((id) => ({
      queryKey: ['spot-exam', id],
      queryFn: () => api.get<SpotExam>(`/api/supervision/spot-exams/${id}`),
    })),
  });
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['inspection', inspectionId] });
    await qc.invalidateQueries({ queryKey: ['spot-exam'] });
  };
  return (
    <Card
      size="small"
      title={t('sv.spot.title')}
      style={{ marginBottom: 8 }}
      data-testid="spot-exam"
    >
      <Typography.Paragraph type="secondary">{t('sv.spot.hint')}</Typography.Paragraph>
      {editable && (
        <Space wrap style={{ marginBottom: 8 }}>
          <InputNumber
            min={1}
            max={50}
            value={count}
            onChange={(v) => setCount(v ?? 1)}
            addonBefore={t('sv.spot.count')}
          />
          <Button
            loading={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await api.post(`/api/supervision/inspections/${inspectionId}/spot-exams`, {
                  count,
                });
                await refresh();
              } catch (e) {
                message.error(errorText(e));
              } finally {
                setBusy(false);
              }
            }}
          >
            {t('sv.spot.draw')}
          </Button>
        </Space>
      )}
      {exams.map((q) =>
        q.data ? (
          <List
            key={q.data.id}
            size="small"
            header={
              <Typography.Text type="secondary">
                {t('sv.plan.seed')} <Typography.Text code>{q.data.seed}</Typography.Text> ·{' '}
                {t('sv.spot.pool', { n: q.data.poolSize })}
              </Typography.Text>
            }
            dataSource={q.data.sittings}
            renderItem={(s) => (
              <List.Item
                extra={
                  s.submittedAt ? (
                    <Tag color={s.passed ? 'green' : 'red'}>{s.score}</Tag>
                  ) : editable ? (
                    <Button
                      size="small"
                      onClick={() => {
                        setAnswers(s.paper.map(() => []));
                        setSitting({ examId: q.data!.id, s });
                      }}
                    >
                      {t('sv.spot.answer')}
                    </Button>
                  ) : null
                }
              >
                {s.name}
              </List.Item>
            )}
          />
        ) : null,
      )}
      <Modal
        open={sitting !== null}
        title={sitting?.s.name}
        onCancel={() => setSitting(null)}
        okText={t('sv.spot.submit')}
        okButtonProps={{ disabled: answers.some((a) => a.length === 0) }}
        onOk={async () => {
          try {
            await api.post(
              `/api/supervision/spot-exams/${sitting!.examId}/sittings/${sitting!.s.id}`,
              { answers },
            );
            setSitting(null);
            await refresh();
          } catch (e) {
            message.error(errorText(e));
          }
        }}
      >
        {sitting?.s.paper.map((q, i) => (
          <div key={q.questionId} style={{ marginBottom: 12 }}>
            <Typography.Paragraph strong style={{ marginBottom: 4 }}>
              {i + 1}. {q.stem}
            </Typography.Paragraph>
            {q.kind === 'multiple' ? (
              <Checkbox.Group
                value={answers[i]}
                onChange={(v) =>
                  setAnswers((a) => a.map((x, k) => (k === i ? (v as number[]) : x)))
                }
                options={q.options.map((o, k) => ({ value: k, label: `${LETTERS[k]}. ${o}` }))}
              />
            ) : (
              <Radio.Group
                value={answers[i]?.[0]}
                onChange={(e) =>
                  setAnswers((a) => a.map((x, k) => (k === i ? [e.target.value] : x)))
                }
              >
                <Space direction="vertical">
                  {q.options.map((o, k) => (
                    <Radio key={o} value={k}>
                      {LETTERS[k]}. {o}
                    </Radio>
                  ))}
                </Space>
              </Radio.Group>
            )}
          </div>
        ))}
      </Modal>
    </Card>
  );
}
