import {
  Card,
  Col,
  Descriptions,
  List,
  Progress,
  Result,
  Row,
  Space,
  Statistic,
  Tag,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { useIsPhone } from '../../lib/use-media';
import {
  type ClassDetail,
  type Finding,
  fmtSpan,
  hours,
  ModeTag,
  minutesBetween,
  severityColor,
} from './shared';

/** Planned hours by the policy's minutes per 学时; online hours count only up to the online share of theory. */
export function plannedHours(cls: ClassDetail) {
  const minutes = { theory: 0, practical: 0, online: 0 };
  for (const l of cls.lessons) minutes[l.mode] += minutesBetween(l.startsAt, l.endsAt);
  const online = minutes.online / cls.policy.onlineMinutesPerHour;
  const onlineCap = cls.policy.onlineTheoryShareMax * cls.syllabus.theoryHours;
  return {
    theory: minutes.theory / cls.policy.offlineMinutesPerHour + Math.min(online, onlineCap),
    practical: minutes.practical / cls.policy.offlineMinutesPerHour,
    online,
    onlineCap,
  };
}

export function FindingsList({ cls }: { cls: ClassDetail }) {
  const { t } = useTranslation();
  const lessons = new Map(cls.lessons.map((l) => [l.id, l]));
  const sorted = [...cls.findings].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'refuse' ? -1 : 1,
  );
  if (sorted.length === 0)
    return (
      <Result status="success" title={t('training.overview.noFindings')} style={{ padding: 16 }} />
    );
  return (
    <List<Finding>
      dataSource={sorted}
      renderItem={(f) => {
        const lesson = lessons.get(f.lessonId);
        return (
          <List.Item data-testid="finding-row" data-rule={f.rule} data-severity={f.severity}>
            <Space direction="vertical" size={2} style={{ width: '100%' }}>
              <Space wrap size={4}>
                <Tag color={severityColor[f.severity]}>
                  {t(`training.findingSeverity.${f.severity}`)}
                </Tag>
                <Typography.Text>{f.message}</Typography.Text>
              </Space>
              {lesson && (
                <Space wrap size={4}>
                  <ModeTag mode={lesson.mode} />
                  <Typography.Text
                    type="secondary"
                    style={{ fontSize: 12 }}
                  >{`${fmtSpan(lesson.startsAt, lesson.endsAt)} · ${lesson.topic} · ${lesson.teacherName}`}</Typography.Text>
                </Space>
              )}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {f.source}
              </Typography.Text>
            </Space>
          </List.Item>
        );
      }}
    />
  );
}

/** 概览: the syllabus the class is held to, the policy in force, what is planned, and the plan check. */
export function OverviewTab({ cls, findingsFirst }: { cls: ClassDetail; findingsFirst: boolean }) {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const planned = plannedHours(cls);
  const p = cls.policy;
  const pct = (a: number, b: number) => (b > 0 ? Math.min(100, Math.round((a / b) * 100)) : 100);
  const findings = (
    <Card
      size="small"
      title={`${t('training.overview.findings')} · ${t('training.overview.findingsCount', { count: cls.findings.length })}`}
      style={{ marginBottom: 12 }}
    >
      <FindingsList cls={cls} />
    </Card>
  );
  const syllabus = (
    <Card size="small" title={t('training.overview.syllabus')} style={{ marginBottom: 12 }}>
      <Row gutter={[16, 16]}>
        <Col xs={12} md={6}>
          <Statistic
            title={t('training.overview.theoryRequired')}
            value={cls.syllabus.theoryHours}
          />
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={t('training.overview.practicalRequired')}
            value={cls.syllabus.practicalHours}
          />
        </Col>
        <Col xs={24} md={12}>
          <Typography.Text type="secondary">{t('training.overview.theoryPlanned')}</Typography.Text>
          <Progress
            percent={pct(planned.theory, cls.syllabus.theoryHours)}
            format={() => `${hours(planned.theory)} / ${cls.syllabus.theoryHours}`}
          />
          {cls.syllabus.practicalHours > 0 && (
            <>
              <Typography.Text type="secondary">
                {t('training.overview.practicalPlanned')}
              </Typography.Text>
              <Progress
                percent={pct(planned.practical, cls.syllabus.practicalHours)}
                format={() => `${hours(planned.practical)} / ${cls.syllabus.practicalHours}`}
              />
            </>
          )}
          {planned.online > 0 && (
            <Typography.Text
              type={planned.online > planned.onlineCap ? 'warning' : 'secondary'}
              style={{ fontSize: 12 }}
            >
              {t('training.overview.onlinePlanned', {
                hours: hours(planned.online),
                cap: hours(planned.onlineCap),
              })}
            </Typography.Text>
          )}
        </Col>
      </Row>
      <Descriptions
        column={isPhone ? 1 : 3}
        size="small"
        bordered
        style={{ marginTop: 16 }}
        title={<Typography.Text strong>{t('training.overview.policy')}</Typography.Text>}
      >
        <Descriptions.Item label={t('training.overview.policy')} span={isPhone ? 1 : 3}>
          <Space wrap size={4}>
            {p.applied.map((a) => (
              <Tag key={a}>{a}</Tag>
            ))}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('training.overview.offlineMinutesPerHour')}>
          {t('training.overview.minutes', { count: p.offlineMinutesPerHour })}
        </Descriptions.Item>
        <Descriptions.Item label={t('training.overview.onlineMinutesPerHour')}>
          {t('training.overview.minutes', { count: p.onlineMinutesPerHour })}
        </Descriptions.Item>
        <Descriptions.Item
          label={t('training.overview.onlineTheoryShareMax')}
        >{`${Math.round(p.onlineTheoryShareMax * 100)}%`}</Descriptions.Item>
        <Descriptions.Item label={t('training.overview.practicalHoursPerDayMax')}>
          {p.practicalHoursPerDayMax === null
            ? t('training.overview.noLimit')
            : t('training.overview.hours', { count: p.practicalHoursPerDayMax })}
        </Descriptions.Item>
        <Descriptions.Item label={t('training.overview.uncoveredTimeCounts')}>
          {p.uncoveredTimeCounts ? t('common.yes') : t('common.no')}
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
  return findingsFirst ? (
    <>
      {findings}
      {syllabus}
    </>
  ) : (
    <>
      {syllabus}
      {findings}
    </>
  );
}
