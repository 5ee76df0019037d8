import {
  PauseCircleOutlined,
  PlayCircleOutlined,
  SafetyCertificateOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, List, Progress, Space, Statistic, Tag, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type {
  FaceCheckResultSchema,
  HeartbeatResultSchema,
  MyCourseSchema,
  SessionSchema,
} from '../../../../src/modules/training/online.contract.js';
import { api } from '../../lib/api-client';
import { CameraModal } from '../faces/face-panel';
import { errorText } from './shared';

type MyCourse = z.infer<typeof MyCourseSchema>;
type Session = z.infer<typeof SessionSchema>;
type Beat = z.infer<typeof HeartbeatResultSchema>;
type Check = z.infer<typeof FaceCheckResultSchema>;

/** How often the player reports; the server, not this timer, decides what counts. */
const HEARTBEAT_MS = 20_000;

/** A worker's online courses (phone first), and the player with its periodic face checks. */
export function LearnPage() {
  const { t } = useTranslation();
  const [learning, setLearning] = useState<MyCourse | null>(null);
  const courses = useQuery({
    queryKey: ['my-courses'],
    queryFn: () => api.get<{ items: MyCourse[] }>('/api/me/courses'),
  });
  if (learning) return <Player course={learning} onLeave={() => setLearning(null)} />;
  return (
    <Card title={t('training.learn.title')}>
      {courses.error && <Alert type="error" message={errorText(courses.error)} />}
      <List
        loading={courses.isLoading}
        locale={{ emptyText: t('training.learn.none') }}
        dataSource={courses.data?.items ?? []}
        renderItem={(c) => (
          <List.Item
            data-testid="course-row"
            actions={[
              <Button
                key="go"
                type="primary"
                icon={<PlayCircleOutlined />}
                onClick={() => setLearning(c)}
                data-testid="course-start"
              >
                {t('training.learn.start')}
              </Button>,
            ]}
          >
            <List.Item.Meta
              title={c.title}
              description={`${c.className} · ${t('training.learn.verified', { minutes: Math.round(c.verifiedMinutes), hours: c.hours })}`}
            />
          </List.Item>
        )}
      />
    </Card>
  );
}

function Player({ course, onLeave }: { course: MyCourse; onLeave: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [session, setSession] = useState<Session | null>(null);
  const [playing, setPlaying] = useState(false);
  const [needsCheck, setNeedsCheck] = useState(true);
  const [camera, setCamera] = useState(false);
  const [last, setLast] = useState<Beat | null>(null);
  const [check, setCheck] = useState<Check | null>(null);
  const [error, setError] = useState<string | null>(null);
  const position = useRef(course.positionSeconds);
  const playingSince = useRef<number | null>(null);
  const media = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    api
      .post<Session>('/api/online/sessions', { courseId: course.id })
      .then((s) => {
        setSession(s);
        position.current = s.positionSeconds;
        setCamera(true);
      })
      .catch((e) => setError(errorText(e)));
  }, [course.id]);

  /** The position to report: the video's own time, or reading time for a document. */
  const currentPosition = useCallback(() => {
    if (course.mediaKind === 'video' && media.current && media.current.readyState > 0)
      return media.current.currentTime;
    if (playingSince.current !== null)
      return position.current + (Date.now() - playingSince.current) / 1000;
    return position.current;
  }, [course.mediaKind]);

  const pause = useCallback(() => {
    position.current = currentPosition();
    playingSince.current = null;
    media.current?.pause();
    setPlaying(false);
  }, [currentPosition]);

  const beat = useCallback(async () => {
    if (!session) return;
    try {
      const p = Math.min(currentPosition(), course.durationSeconds);
      const res = await api.post<Beat>(`/api/online/sessions/${session.id}/heartbeat`, {
        positionSeconds: p,
        playing: playingSince.current !== null || !!(media.current && !media.current.paused),
      });
      setLast(res);
      if (res.positionSeconds < p - 1) {
        // The server kept the old position (no fast-forward): go back to it.
        position.current = res.positionSeconds;
        if (media.current) media.current.currentTime = res.positionSeconds;
        if (playingSince.current !== null) playingSince.current = Date.now();
      }
      if (res.checkRequired) {
        pause();
        setNeedsCheck(true);
        setCamera(true);
      }
    } catch (e) {
      pause();
      setError(errorText(e));
    }
  }, [session, currentPosition, course.durationSeconds, pause]);

  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => void beat(), HEARTBEAT_MS);
    return () => clearInterval(timer);
  }, [playing, beat]);

  // Leaving the tab pauses learning; the server locks the session after an idle gap anyway.
  useEffect(() => {
    const onHide = () => {
      if (document.hidden && playing) {
        void beat();
        pause();
      }
    };
    document.addEventListener('visibilitychange', onHide);
    return () => document.removeEventListener('visibilitychange', onHide);
  }, [playing, beat, pause]);

  const faceCheck = useMutation({
    mutationFn: (image: string) =>
      api.post<Check>(`/api/online/sessions/${session!.id}/face-checks`, { image }),
    onSuccess: (res) => {
      setCheck(res);
      if (res.passed) {
        setNeedsCheck(false);
        setCamera(false);
      }
    },
    onError: (e) => setError(errorText(e)),
  });

  const play = async () => {
    if (!session) return;
    // The first heartbeat after a pause starts a fresh segment from now.
    await beat();
    playingSince.current = Date.now();
    void media.current?.play().catch(() => undefined);
    setPlaying(true);
  };
  const leave = async () => {
    if (session) {
      await beat();
      await api.post(`/api/online/sessions/${session.id}/end`, {}).catch(() => undefined);
    }
    qc.invalidateQueries({ queryKey: ['my-courses'] });
    onLeave();
  };

  return (
    <Card
      title={course.title}
      extra={<Button onClick={() => void leave()}>{t('training.learn.leave')}</Button>}
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        {error && <Alert type="error" message={error} />}
        <Alert
          type="info"
          showIcon
          message={t('training.learn.rules', {
            minutes: course.faceCheckIntervalMinutes,
            perHour: course.onlineMinutesPerHour,
          })}
        />
        {course.mediaKind === 'video' ? (
          // No native controls: seeking forward is what the server refuses anyway.
          <video
            ref={media}
            src={course.mediaUrl}
            playsInline
            style={{ width: '100%', background: '#000', borderRadius: 8 }}
          >
            {/* Courseware captions sit next to the media file (same name, .vtt). */}
            <track kind="captions" src={`${course.mediaUrl}.vtt`} srcLang="zh" label="中文" />
          </video>
        ) : (
          <Typography.Paragraph style={{ padding: 16, background: '#fafafa', borderRadius: 8 }}>
            {t('training.learn.document', { url: course.mediaUrl })}
          </Typography.Paragraph>
        )}
        <Space wrap>
          {playing ? (
            <Button
              icon={<PauseCircleOutlined />}
              onClick={() => void beat().then(pause)}
              data-testid="learn-pause"
            >
              {t('training.learn.pause')}
            </Button>
          ) : (
            <Button
              type="primary"
              icon={<PlayCircleOutlined />}
              disabled={!session || needsCheck}
              onClick={() => void play()}
              data-testid="learn-play"
            >
              {t('training.learn.play')}
            </Button>
          )}
          <Button
            icon={<SafetyCertificateOutlined />}
            disabled={!session}
            onClick={() => setCamera(true)}
          >
            {t('training.learn.check')}
          </Button>
          {needsCheck && <Tag color="orange">{t('training.learn.checkRequired')}</Tag>}
          {last?.locked && <Tag color="red">{t('training.learn.locked')}</Tag>}
        </Space>
        <Progress percent={Math.round((position.current / course.durationSeconds) * 100)} />
        <Statistic
          title={t('training.learn.verifiedMinutes')}
          value={Math.round((last?.verifiedMinutes ?? course.verifiedMinutes) * 10) / 10}
          suffix="min"
          data-testid="learn-verified"
        />
        {last?.reason && (
          <Typography.Text type="secondary">
            {t(`training.learn.reasons.${last.reason}`)}
          </Typography.Text>
        )}
        {check && (
          <Alert
            type={check.passed ? 'success' : 'error'}
            message={check.message}
            data-testid="learn-check-result"
          />
        )}
      </Space>
      {camera && session && (
        <CameraModal
          title={t('training.learn.check')}
          busy={faceCheck.isPending}
          onCapture={(img) => faceCheck.mutate(img)}
          onClose={() => setCamera(false)}
        />
      )}
    </Card>
  );
}
