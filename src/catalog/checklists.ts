import type { FindingSeverity } from './findings.js';

/**
 * Inspection checklists as the seeds give them (PRODUCT.md §2.6): 渝北区's four lists for the four
 * kinds of subject (seed 001: enterprise 10 items, training institution 4, exam site 8, exam authority
 * 8) and the Shandong 2024 finding list turned into items (seed 004). Each item names its legal
 * basis. These are version 1 of each template; regulators add versions (the database keeps them) and
 * an inspection keeps the version it used.
 */

export const checklistSubjectKinds = [
  'enterprise',
  'training_institution',
  'exam_site',
  'exam_authority',
] as const;
export type ChecklistSubjectKind = (typeof checklistSubjectKinds)[number];

/** Where the platform already knows an item's answer: the inspector confirms it rather than retyping. */
export const prefillSources = ['registration', 'archive', 'video', 'alerts'] as const;
export type PrefillSource = (typeof prefillSources)[number];

export interface ChecklistItemDef {
  code: string;
  text: string;
  basis: string;
  severity: FindingSeverity;
  prefill?: PrefillSource | null;
}

export interface ChecklistDef {
  code: string;
  subjectKind: ChecklistSubjectKind;
  name: string;
  source: string;
  items: ChecklistItemDef[];
}

const LAW = '《中华人民共和国安全生产法》';
const REG3 = '《生产经营单位安全培训规定》（原国家安全监管总局令第3号）';
const REG44 = '《安全生产培训管理办法》（原国家安全监管总局令第44号）';
const REG30 = '《特种作业人员安全技术培训考核管理规定》（原国家安全监管总局令第30号）';
const DOC104 = '《安全生产资格考试与证书管理暂行办法》（安监总培训〔2013〕104号）';
const AQ8011 = 'AQ 8011-2023《安全生产培训机构基本条件》';
export const SEED_001 = '渝北区安委办《关于开展安全生产培训“走过场”专项整治工作的通知》（2021）';
export const SEED_004 =
  '山东省应急管理厅《关于做好安全生产培训考核专项执法和督导检查发现问题对照检查的通知》（2024）';

const item = (
  code: string,
  severity: FindingSeverity,
  text: string,
  basis: string,
  prefill: PrefillSource | null = null,
): ChecklistItemDef => ({ code, text, basis, severity, prefill });

export const builtinChecklists: readonly ChecklistDef[] = [
  {
    code: 'yubei-enterprise',
    subjectKind: 'enterprise',
    name: '生产经营单位安全培训检查表（渝北专项整治）',
    source: `${SEED_001} 二（一）`,
    items: [
      item(
        'ent-01',
        'warning',
        '已组织制定并实施本单位安全培训管理制度和安全生产教育培训计划，建立并落实安全培训组织、管理责任追究制度',
        `${LAW}第二十八条；${REG3}`,
      ),
      item(
        'ent-02',
        'warning',
        '已建立安全培训管理台账，三项岗位人员情况清楚、底数明确',
        `${LAW}第二十八条；${REG3}`,
        'alerts',
      ),
      item(
        'ent-03',
        'serious',
        '高危行业主要负责人和安全生产管理人员在岗半年内取得合格证；特种作业人员持有效操作证上岗，无持假证；合格证每年再训，操作证按期复审',
        `${LAW}第二十七条、第三十条；${REG30}`,
        'alerts',
      ),
      item(
        'ent-04',
        'warning',
        '员工培训兼顾理论与操作技能、送培取证与企业内全员培训，不以会代训',
        `${REG3}`,
      ),
      item('ent-05', 'warning', '自主培训不走过场，培训后考核把关严格，落实培训考核奖惩制度', REG3),
      item('ent-06', 'notice', '有懂安全培训工作的业务骨干，具备自主培训能力', REG3),
      item(
        'ent-07',
        'notice',
        '安全培训经费有保障，覆盖三项岗位人员以外的其他从业人员',
        `${LAW}第四十七条`,
      ),
      item(
        'ent-08',
        'warning',
        '利用信息技术开展培训时，培训过程、质量和考核把控严格，网络培训不走形式',
        REG3,
      ),
      item(
        'ent-09',
        'serious',
        '培训过程资料台账规范、档案完善，无虚假制造培训班级、培训内容等档案作假',
        `${LAW}第二十八条`,
      ),
      item('ent-10', 'serious', '如实记录安全生产教育和培训情况', `${LAW}第二十八条、第九十七条`),
    ],
  },
  {
    code: 'yubei-institution',
    subjectKind: 'training_institution',
    name: '安全培训机构检查表（渝北专项整治）',
    source: `${SEED_001} 二（二）`,
    items: [
      item(
        'inst-01',
        'serious',
        '具备安全生产培训基本条件：管理制度健全，专（兼）职师资充足，固定培训场地及教学设施满足要求',
        `${REG44}；${AQ8011}`,
        'registration',
      ),
      item(
        'inst-02',
        'serious',
        '按培训大纲组织教学，不擅自改变教学内容、压缩学时、以模拟真题代替理论培训，实操实训不流于形式',
        `${REG44}；${REG30}`,
        'video',
      ),
      item('inst-03', 'serious', '建立规范的安全生产培训档案，无档案造假', REG44, 'archive'),
      item(
        'inst-04',
        'serious',
        '不与考试机构、考试点勾结举办“包过班”，不参与考生作弊、倒卖证书、收取高价培训费',
        `${REG44}；${DOC104}`,
        'alerts',
      ),
    ],
  },
  {
    code: 'yubei-exam-site',
    subjectKind: 'exam_site',
    name: '考试点检查表（渝北专项整治）',
    source: `${SEED_001} 二（三）`,
    items: [
      item(
        'site-01',
        'warning',
        '考试点选址安全，理论与实操考场不异地设立，实操考场不分散，布局无安全隐患',
        DOC104,
      ),
      item(
        'site-02',
        'serious',
        '实操设施设备按安全规程标准安装搭设，为合格产品，经检测检验合格且在有效期内',
        DOC104,
      ),
      item('site-03', 'warning', '未私自调整考试设施设备、私自搬迁考场，考试条件达标', DOC104),
      item(
        'site-04',
        'serious',
        '按要求制定并严格执行考试计划，不在考试区域外、考试时间外考试',
        DOC104,
        'alerts',
      ),
      item('site-05', 'serious', '工作人员遵守考试纪律，不为考生作弊提供帮助', DOC104, 'alerts'),
      item(
        'site-06',
        'warning',
        '考试全过程录像，录像资料建档并保存三年以上，无丢失',
        DOC104,
        'alerts',
      ),
      item('site-07', 'notice', '考试数据采集格式规范、信息准确，考试系统数据无丢失', DOC104),
      item('site-08', 'serious', '不参与考试档案造假，不伪造考生考试资料', DOC104),
    ],
  },
  {
    code: 'yubei-exam-authority',
    subjectKind: 'exam_authority',
    name: '考试机构检查表（渝北专项整治）',
    source: `${SEED_001} 二（四）`,
    items: [
      item('auth-01', 'serious', '考试机构已建立，有机构、有职责、有人员', DOC104),
      item(
        'auth-02',
        'serious',
        '高危行业主要负责人、安全生产管理人员考核使用国家考试系统机考，不采用纸质试卷',
        DOC104,
      ),
      item(
        'auth-03',
        'serious',
        '考试机构人员不从事与所承担考试任务有关的培训活动',
        `${DOC104}；${REG30}`,
        'alerts',
      ),
      item(
        'auth-04',
        'serious',
        '未将考试工作委托培训机构或考试点，未聘请其人员作为考试机构工作人员',
        DOC104,
        'alerts',
      ),
      item('auth-05', 'serious', '管理制度落实，监考人员未泄露考试密码', DOC104),
      item(
        'auth-06',
        'warning',
        '巡考员、监考员经培训取得相应证件，巡考监考时佩戴证件',
        DOC104,
        'alerts',
      ),
      item('auth-07', 'warning', '监考员、考评员按时进入考场，考试结束前不脱岗', DOC104),
      item('auth-08', 'serious', '监考员、考评员遵守考试纪律，不纵容、参与或组织作弊', DOC104),
    ],
  },
  {
    code: 'shandong-2024-institution',
    subjectKind: 'training_institution',
    name: '培训机构对照检查问题清单（山东2024）',
    source: `${SEED_004} 一（二）`,
    items: [
      item(
        'sd-inst-1',
        'serious',
        '设备、场地、管理人员、师资满足强制标准：实操设备齐全；场地不少于2个进出口、不设在无通风的地下室；配备人脸识别考勤与广角摄像头；专职管理人员不少于5人、专兼职教师不少于3人且不混用；实操教师实践经验满5年并持相应操作证',
        `${AQ8011}；${SEED_004}`,
        'registration',
      ),
      item(
        'sd-inst-2',
        'warning',
        '内设部门健全、职责明确、有机构章程，管理人员不兼任多个岗位；档案管理制度规范并张贴明示',
        SEED_004,
      ),
      item(
        'sd-inst-3',
        'warning',
        '实训设施设备维护到位：气瓶防倾倒、电焊机接地；劳保用品数量足、按期检测；绝缘用具经打压试验；高处作业场地高度达标、吊篮钢丝绳等无锈蚀',
        SEED_004,
      ),
      item('sd-inst-4a', 'notice', '按工种分别制定培训方案，并制定教学质量评估', SEED_004),
      item(
        'sd-inst-4b',
        'serious',
        '严格执行培训大纲：理论培训不全部线上；实操每天不超过8学时；同一时段不同工种不安排同一教师',
        `${REG44}；${SEED_004}`,
        'alerts',
      ),
      item(
        'sd-inst-4c',
        'serious',
        '班级管理规范：每天签到签退、本人签字无代签；配备专职班主任；初训复训不混编、不混班',
        `${REG44}；${SEED_004}`,
        'alerts',
      ),
      item(
        'sd-inst-4d',
        'warning',
        '线下理论和实操场地摄像头全覆盖（不止一处），线下培训全过程录像',
        `${AQ8011}；${SEED_004}`,
        'video',
      ),
      item(
        'sd-inst-4e',
        'warning',
        '线上培训有刷脸验证等过程监控；线上学时不超过理论总学时的40%；单课程每学时不少于45分钟；取得完整培训过程记录',
        SEED_004,
        'alerts',
      ),
      item(
        'sd-inst-5a',
        'warning',
        '培训档案齐全：线上过程材料、课件、查课表、教学日志、学员评教及统计、培训班总结、教学质量评估报告',
        `${REG44}；${SEED_004}`,
        'archive',
      ),
      item(
        'sd-inst-5b',
        'serious',
        '培训档案真实：签到人数与实到一致、授课人与计划一致、缺课已补、学时满足大纲后才报名考试',
        `${REG44}；${SEED_004}`,
        'alerts',
      ),
      item(
        'sd-inst-5c',
        'warning',
        '线下培训视频录像按要求全过程录制并及时整理归档',
        SEED_004,
        'video',
      ),
    ],
  },
  {
    code: 'shandong-2024-exam-site',
    subjectKind: 'exam_site',
    name: '考试机构（考试点）对照检查问题清单（山东2024）',
    source: `${SEED_004} 一（一）`,
    items: [
      item(
        'sd-site-1',
        'serious',
        '考核力量充足：监考人员和实操考评员数量满足需要，考评员不一对多考评',
        `${DOC104}；${SEED_004}`,
        'alerts',
      ),
      item(
        'sd-site-2',
        'notice',
        '管理制度引用的法规标准及时更新；规章制度、应急处置方案、警示标识公示张贴；应急预案有人员分工和职责',
        SEED_004,
      ),
      item(
        'sd-site-3',
        'serious',
        '考务组织严格：考评员持相应工种操作证；配备叫号系统与电子显示；实操考试项目不缺项；考试设备登记齐全并定期检查维护',
        `${DOC104}附件1；${SEED_004}`,
        'alerts',
      ),
      item(
        'sd-site-4',
        'warning',
        '实物设备考试：灭火器科目用实物考试；焊接、电工等实操设备应配尽配；高处作业吊篮升降高度不低于2米',
        SEED_004,
      ),
      item(
        'sd-site-5',
        'warning',
        '档案管理规范：档案室独立设置；一期一档；监控无遮挡、全覆盖，储存时间满足要求并与纸质档案对应',
        `${DOC104}；${SEED_004}`,
        'alerts',
      ),
    ],
  },
];

/** The template an inspection of this kind uses unless the regulator picks another. */
export const defaultChecklistOf: Record<ChecklistSubjectKind, string> = {
  enterprise: 'yubei-enterprise',
  training_institution: 'shandong-2024-institution',
  exam_site: 'shandong-2024-exam-site',
  exam_authority: 'yubei-exam-authority',
};

/** 逢查必考 (seed 003): the target pass rate of workers examined during an inspection. */
export const spotExamFigures = {
  targetPassRate: {
    value: 1,
    source:
      '曲阜市政府办公室《关于进一步加强安全生产培训考核工作的意见》（曲政办字〔2022〕26号）：考试合格率100%',
    status: 'seed' as const,
  },
  defaultQuestions: { value: 10, source: '平台默认：每人10题短卷', status: 'unconfirmed' as const },
};
