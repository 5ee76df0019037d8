import {
  CheckCircleOutlined,
  CloudOutlined,
  DisconnectOutlined,
  LeftOutlined,
  RightOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Progress,
  Radio,
  Result,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { exams } from '../../../../src/catalog/figures.js';
import { ApiError, api } from '../../lib/api-client';
import { type Attempt, errorText } from './shared';

const RETRY_MS = 3_000;
const LETTERS = 'ABCDEFGH';

type SaveState = 'saved' | 'saving' | 'offline';

/** The server's grading of a paper it submitted by itself (time up). */
const autoResult = (a: Attempt) => ({
  score: a.score ?? 0,
  passed: (a.score ?? 0) >= exams.passMark.value,
  autoSubmitted: true,
});

/**
 * The machine theory exam. Every answer goes to the server as it is given; an answer the network did
 * not take stays queued and is sent again until it is, so a dropped connection loses nothing and a
 * reload resumes from the server. The server keeps the clock: the countdown only shows its deadline.
 */
export function TheoryPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { modal } = App.useApp();
  const start = useQuery({
    queryKey: ['theory', id],
    queryFn: () => api.post<Attempt>(`/api/exams/registrations/${id}/theory`),
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
    retry: false,
    refetchOnReconnect: false,
  });
  const attempt = start.data;
  const [answers, setAnswers] = useState<Map<number, number[]>>(new Map());
  const [current, setCurrent] = useState(0);
  const queue = useRef(new Map<number, number[]>());
  const [pendingCount, setPendingCount] = useState(0);
  const [state, setState] = useState<SaveState>('saved');
  const [blocked, setBlocked] = useState<string | null>(null);
  const [result, setResult] = useState<{
    score: number;
    passed: boolean;
    autoSubmitted: boolean;
  } | null>(null);
  const [warnings, setWarnings] = useState<Attempt['warnings']>([]);
  const [remaining, setRemaining] = useState(0);
  const deadline = useRef(0);
  const flushing = useRef<Promise<void> | null>(null);

  useEffect(() => {
    if (!attempt) return;
    setAnswers(new Map(attempt.answers.map((a) => [a.position, a.choice])));
    setWarnings(attempt.warnings);
    deadline.current = Date.now() + attempt.remainingSeconds * 1000;
    setRemaining(attempt.remainingSeconds);
    if (attempt.submitted) setResult(autoResult(attempt));
  }, [attempt]);

  const fail = useCallback(
    (e: unknown) => {
      if (e instanceof ApiError) {
        const code = e.details[0]?.code;
        if (code === 'time_up' || code === 'submitted') {
          void api
            .get<Attempt>(`/api/exams/attempts/${attempt?.id}`)
            .then((a) => setResult(autoResult(a)));
          return;
        }
        setBlocked(e.message);
        return;
      }
      setState('offline');
    },
    [attempt?.id],
  );

  /**
   * Sends the queued answers, one at a time. A call while a flush is under way waits for that one
   * (submitting must not overtake the last answer still on its way).
   */
  const flush = useCallback((): Promise<void> => {
    if (!attempt) return Promise.resolve();
    if (flushing.current) return flushing.current;
    // Started on the next microtask, so `flushing` holds this run before any of it executes.
    const run: Promise<void> = Promise.resolve()
      .then(async () => {
        for (
          let next = queue.current.entries().next();
          !next.done;
          next = queue.current.entries().next()
        ) {
          const [position, choice] = next.value;
          setState('saving');
          await api.put(`/api/exams/attempts/${attempt.id}/answers/${position}`, {
            clientToken: attempt.clientToken,
            choice,
          });
          // A newer answer to the same question given meanwhile stays queued.
          if (queue.current.get(position) === choice) queue.current.delete(position);
          setPendingCount(queue.current.size);
        }
        setState('saved');
      })
      .catch(fail)
      .finally(() => {
        if (flushing.current === run) flushing.current = null;
      });
    flushing.current = run;
    return run;
  }, [attempt, fail]);

  useEffect(() => {
    const retry = setInterval(() => {
      if (queue.current.size > 0) void flush();
    }, RETRY_MS);
    const online = () => void flush();
    window.addEventListener('online', online);
    return () => {
      clearInterval(retry);
      window.removeEventListener('online', online);
    };
  }, [flush]);

  useEffect(() => {
    const tick = setInterval(
      () => setRemaining(Math.max(0, Math.round((deadline.current - Date.now()) / 1000))),
      1000,
    );
    return () => clearInterval(tick);
  }, []);
  // The patrol's warnings, and the server's verdict once the time is up.
  useEffect(() => {
    if (!attempt || result) return;
    const poll = setInterval(() => {
      api
        .get<Attempt>(`/api/exams/attempts/${attempt.id}`)
        .then((a) => {
          setWarnings(a.warnings);
          if (a.submitted) setResult(autoResult(a));
        })
        .catch(() => {});
    }, 30_000);
    return () => clearInterval(poll);
  }, [attempt, result]);
  useEffect(() => {
    if (attempt && remaining === 0 && !result && deadline.current > 0) {
      void api
        .get<Attempt>(`/api/exams/attempts/${attempt.id}`)
        .then((a) => a.submitted && setResult(autoResult(a)));
    }
  }, [remaining, attempt, result]);

  if (start.isLoading) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (start.error || !attempt)
    return (
      <Alert
        type="error"
        showIcon
        message={errorText(start.error)}
        action={<Button onClick={() => navigate('/my/exams')}>{t('exams.back')}</Button>}
      />
    );
  if (result) {
    return (
      <Result
        status={result.passed ? 'success' : 'warning'}
        title={
          <span data-testid="theory-score">{t('exams.scoreIs', { score: result.score })}</span>
        }
        subTitle={result.autoSubmitted ? t('exams.autoSubmitted') : t('exams.submitted')}
        extra={<Button onClick={() => navigate('/my/exams')}>{t('exams.back')}</Button>}
      />
    );
  }
  if (blocked)
    return (
      <Result
        status="error"
        title={blocked}
        extra={<Button onClick={() => navigate('/my/exams')}>{t('exams.back')}</Button>}
      />
    );

  const q = attempt.questions[current];
  const choice = answers.get(current) ?? [];
  const answer = (next: number[]) => {
    setAnswers((m) => new Map(m).set(current, next));
    queue.current.set(current, next);
    setPendingCount(queue.current.size);
    void flush();
  };
  const submit = () => {
    const unanswered = attempt.questions.length - answers.size;
    modal.confirm({
      title: t('exams.submitConfirm'),
      content: unanswered > 0 ? t('exams.unanswered', { n: unanswered }) : t('exams.allAnswered'),
      okText: t('exams.submit'),
      onOk: async () => {
        await flush();
        // An answer given while that flush ran is still queued: send it too before grading.
        if (queue.current.size > 0) await flush();
        try {
          setResult(
            await api.post(`/api/exams/attempts/${attempt.id}/submit`, {
              clientToken: attempt.clientToken,
            }),
          );
        } catch (e) {
          fail(e);
        }
      },
    });
  };
  const mm = String(Math.floor(remaining / 60)).padStart(2, '0');
  const ss = String(remaining % 60).padStart(2, '0');
  return (
    <Space
      direction="vertical"
      style={{ width: '100%', maxWidth: 820, margin: '0 auto', display: 'flex' }}
    >
      <Card size="small">
        <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
          <Typography.Text
            strong
            data-testid="exam-timer"
            style={{ fontSize: 20, color: remaining < 300 ? '#cf1322' : undefined }}
          >
            {mm}:{ss}
          </Typography.Text>
          <SaveIndicator state={state} pending={pendingCount} />
          <Button type="primary" onClick={submit} data-testid="exam-submit">
            {t('exams.submit')}
          </Button>
        </Space>
        <Progress
          percent={Math.round((answers.size / attempt.questions.length) * 100)}
          size="small"
          format={() => `${answers.size}/${attempt.questions.length}`}
        />
      </Card>
      {warnings.map((w) => (
        <Alert
          key={w.id}
          type={w.kind === 'cancel' ? 'error' : 'warning'}
          showIcon
          message={`${t('exams.warning')}：${w.note}`}
          data-testid="exam-warning"
        />
      ))}
      <Card
        title={`${current + 1}. ${t(`exams.kinds.${q.kind}`)}（${q.points}${t('exams.points')}）`}
        data-testid="exam-question"
        data-position={current}
      >
        <Typography.Paragraph style={{ fontSize: 16 }}>{q.stem}</Typography.Paragraph>
        {q.kind === 'multiple' ? (
          <Checkbox.Group
            value={choice}
            onChange={(v) => answer((v as number[]).slice().sort((a, b) => a - b))}
            style={{ display: 'flex', flexDirection: 'column', gap: 12 }}
          >
            {q.options.map((o, i) => (
              <Checkbox key={o} value={i} data-testid="exam-option">
                {LETTERS[i]}. {o}
              </Checkbox>
            ))}
          </Checkbox.Group>
        ) : (
          <Radio.Group
            value={choice[0]}
            onChange={(e) => answer([e.target.value])}
            style={{ display: 'flex', flexDirection: 'column', gap: 12 }}
          >
            {q.options.map((o, i) => (
              <Radio key={o} value={i} data-testid="exam-option">
                {q.kind === 'judge' ? o : `${LETTERS[i]}. ${o}`}
              </Radio>
            ))}
          </Radio.Group>
        )}
        <Space style={{ marginTop: 24 }}>
          <Button
            icon={<LeftOutlined />}
            disabled={current === 0}
            onClick={() => setCurrent(current - 1)}
          >
            {t('exams.prev')}
          </Button>
          <Button
            icon={<RightOutlined />}
            disabled={current === attempt.questions.length - 1}
            onClick={() => setCurrent(current + 1)}
            data-testid="exam-next"
          >
            {t('exams.next')}
          </Button>
        </Space>
      </Card>
      <Card size="small" title={t('exams.sheet')}>
        <Space wrap size={4}>
          {attempt.questions.map((x) => (
            <Button
              key={x.position}
              size="small"
              type={
                x.position === current ? 'primary' : answers.has(x.position) ? 'default' : 'dashed'
              }
              onClick={() => setCurrent(x.position)}
              style={{ width: 40 }}
              data-testid="sheet-item"
              data-answered={answers.has(x.position)}
            >
              {x.position + 1}
            </Button>
          ))}
        </Space>
      </Card>
    </Space>
  );
}

function SaveIndicator({ state, pending }: { state: SaveState; pending: number }) {
  const { t } = useTranslation();
  if (state === 'offline')
    return (
      <Tag icon={<DisconnectOutlined />} color="red" data-testid="save-state" data-state="offline">
        {t('exams.offline', { n: pending })}
      </Tag>
    );
  if (state === 'saving' || pending > 0)
    return (
      <Tag icon={<CloudOutlined />} color="blue" data-testid="save-state" data-state="saving">
        {t('exams.saving')}
      </Tag>
    );
  return (
    <Tag icon={<CheckCircleOutlined />} color="green" data-testid="save-state" data-state="saved">
      {t('exams.saved')}
    </Tag>
  );
}
