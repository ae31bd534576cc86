// Words Chinese and Japanese admins type for the units, values and answers the language takes in
// English (`wait 10 分钟`, `when ResultType is 成功`), so their quick fixes can offer the English word.

const ENGLISH: Record<string, string> = {
  秒: 'seconds', 秒钟: 'seconds', 秒鐘: 'seconds', 秒間: 'seconds',
  分: 'minutes', 分钟: 'minutes', 分鐘: 'minutes', 分間: 'minutes',
  小时: 'hours', 小時: 'hours', 钟头: 'hours', 時間: 'hours',
  成功: 'Succeeded', 已成功: 'Succeeded', 失败: 'Failed', 失敗: 'Failed', 超时: 'Timeout', 超時: 'Timeout', タイムアウト: 'Timeout',
  正常: 'Healthy', 健康: 'Healthy', 不正常: 'Unhealthy', 异常: 'Unhealthy', 異常: 'Unhealthy', 不健康: 'Unhealthy', 降级: 'Degraded', 低下: 'Degraded',
  已装载: 'Mounted', 已挂载: 'Mounted', マウント済み: 'Mounted', 已卸载: 'Dismounted', マウント解除: 'Dismounted',
  运行: 'Running', 正在运行: 'Running', 実行中: 'Running', 已停止: 'Stopped', 停止: 'Stopped', 停止中: 'Stopped',
  是: 'yes', 否: 'no', はい: 'yes', いいえ: 'no',
  邮箱: 'mailbox', 邮箱服务器: 'mailbox', メールボックス: 'mailbox', 客户端访问: 'cas', クライアントアクセス: 'cas',
};

/** The English word for a Chinese or Japanese one, if it is one of `choices` (compared without case). */
export function englishFor(word: string, choices: readonly string[]): string | undefined {
  const english = ENGLISH[word.trim()];
  return english ? choices.find((c) => c.toLowerCase() === english.toLowerCase()) : undefined;
}
