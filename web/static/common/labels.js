// The closed vocabularies' Chinese labels (mirrors hotline/vocabulary.py) for pickers; the API checks the values.

export const CHANNELS = [
  ["call_12345", "12345热线"], ["call_12315", "12315消费者投诉"], ["call_12369", "12369环保举报"],
  ["call_12333", "12333人社咨询"], ["call_12329", "12329住房公积金"], ["mailbox", "县长信箱"], ["web", "网站留言"],
  ["app", "移动应用"], ["city_management", "数字城管"], ["from_110", "110转来"], ["from_119", "119转来"],
  ["from_120", "120转来"], ["from_122", "122转来"],
];
export const CITIZEN_CHANNELS = [["web", "网站留言"], ["mailbox", "县长信箱"], ["app", "移动应用"]];
export const TYPES = [
  ["consultation", "咨询"], ["help", "求助"], ["suggestion", "建议"], ["complaint", "投诉"], ["report", "举报"],
  ["praise", "表扬"],
];
export const URGENCY = [["normal", "一般"], ["urgent", "紧急"], ["restoration", "抢修恢复"]];
export const SATISFACTION = [["satisfied", "满意"], ["basically_satisfied", "基本满意"], ["unsatisfied", "不满意"]];
export const SOLVED = [["solved", "已解决"], ["partly_solved", "部分解决"], ["unsolved", "未解决"]];
export const LINES = { "110": "110 报警", "119": "119 消防", "120": "120 急救", "122": "122 交通事故" };
export const EMERGENCY_KINDS = { fire: "火情", gas_leak: "燃气泄漏", disaster: "灾害", trapped: "被困", traffic: "交通事故",
  danger: "危险", crime: "治安",
  medical: "急救" };

export const label = (pairs, value) => (pairs.find(([v]) => v === value) || [value, value || "—"])[1];

/** Categories from the API, as <optgroup>s by group, for every page that dispatches. */
export function categoryOptions(h, categories, placeholder = "选择分类") {
  const groups = new Map();
  for (const c of categories) {
    if (!groups.has(c.group)) groups.set(c.group, []);
    groups.get(c.group).push(c);
  }
  return [
    h("option", { value: "", text: placeholder }),
    ...Array.from(groups, ([group, items]) => h("optgroup", { label: group },
      items.map((c) => h("option", { value: c.code, text: `${c.code} ${c.name}` })))),
  ];
}

export const STATUS = {
  received: "已受理", pending_dispatch: "待派单", pending_sign: "待签收", returned: "已退单待审核", in_progress: "办理中",
  extension_pending: "延期审核中", waiting_citizen: "待补充材料", pending_review: "办结待审核", closed: "已办结", rated: "已回访", archived: "已归档",
  merged: "已并单", transferred: "已转警情/急救",
};
