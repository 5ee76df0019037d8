#!/usr/bin/env bash
# The demo's online-course videos (web/public/media/demo-course-<minutes>.webm): a slide lecture as long
# as the course claims, one slide every 5 minutes, so each is a few dozen KB and plays from the app's own
# origin (its content security policy allows media from 'self' only). Needs ffmpeg and a CJK font
# (Debian: ffmpeg fonts-wqy-microhei). Run it when the demo needs a new course length; the demo tests
# fail when a demo course points at a video that is not there.
set -euo pipefail
cd "$(dirname "$0")/../web/public/media"
FONT=${FONT:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}
titles=('安全生产方针与法律法规体系' '《安全生产法》从业人员的权利和义务' '《特种作业人员安全技术培训考核管理规定》'
  '作业现场危险有害因素辨识' '个人防护用品的正确使用' '事故报告与应急处置' '典型事故案例分析' '复习与自测')
for minutes in "$@"; do
  seconds=$((minutes * 60))
  filters="drawtext=fontfile=$FONT:text='安全生产法律法规（线上课程）':fontcolor=white:fontsize=30:x=(w-tw)/2:y=50"
  filters+=",drawtext=fontfile=$FONT:text='第 %{eif\\:floor(t/900)+1\\:d} 讲':fontcolor=0xffd666:fontsize=26:x=(w-tw)/2:y=130"
  for k in "${!titles[@]}"; do
    filters+=",drawtext=fontfile=$FONT:text='${titles[$k]}':fontcolor=white:fontsize=24:x=(w-tw)/2:y=190:enable='eq(mod(floor(t/900)\\,8)\\,$k)'"
  done
  filters+=",drawtext=fontfile=$FONT:text='第 %{eif\\:floor(t/60)\\:d} 分钟 / 共 $minutes 分钟':fontcolor=0xc0c8d0:fontsize=20:x=(w-tw)/2:y=290"
  ffmpeg -y -loglevel error -f lavfi -i "color=c=0x1f3a5f:s=640x360:r=1/300:d=$seconds" -vf "$filters" \
    -c:v libvpx-vp9 -b:v 0 -crf 50 -g 6 -pix_fmt yuv420p -an "demo-course-$minutes.webm"
  # Captions beside the video (the player loads <video>.vtt): the title of each 15-minute lecture.
  {
    echo 'WEBVTT'
    for ((from = 0; from < seconds; from += 900)); do
      to=$((from + 900 < seconds ? from + 900 : seconds))
      printf '\n%02d:%02d:%02d.000 --> %02d:%02d:%02d.000\n第 %d 讲 %s\n' \
        $((from / 3600)) $((from % 3600 / 60)) 0 $((to / 3600)) $((to % 3600 / 60)) $((to % 60)) \
        $((from / 900 + 1)) "${titles[$((from / 900 % 8))]}"
    done
  } >"demo-course-$minutes.webm.vtt"
  echo "demo-course-$minutes.webm $(stat -c %s "demo-course-$minutes.webm") bytes"
done
