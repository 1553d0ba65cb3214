// Package postref reads the platform's own id of a post from its address
// (a Xiaohongshu note id, a Bilibili BV id, a Douyin video id …), so that a
// post can be matched with the metrics a platform exports for it. It knows
// the address shapes of the platforms kox lists; an address it cannot read
// (a share short link, say) gives no id.
package postref

import (
	"net/url"
	"regexp"
	"strings"
)

type rule struct {
	hosts []string // the host or one of its parent domains
	re    *regexp.Regexp
}

// Each pattern's first group is the id; patterns are tried on the path, then
// on the query for those that name a parameter.
var rules = map[string][]rule{
	"xiaohongshu": {{[]string{"xiaohongshu.com"}, regexp.MustCompile(`^/(?:explore|discovery/item)/([0-9a-f]{16,32})`)}},
	"douyin": {
		{[]string{"douyin.com", "iesdouyin.com"}, regexp.MustCompile(`^/(?:video|note|share/video)/(\d{8,24})`)},
		{[]string{"douyin.com"}, regexp.MustCompile(`(?:^|&)modal_id=(\d{8,24})`)},
	},
	"weibo": {
		{[]string{"m.weibo.cn"}, regexp.MustCompile(`^/(?:status|detail)/([0-9A-Za-z]{6,20})`)},
		{[]string{"weibo.com"}, regexp.MustCompile(`^/\d+/([0-9A-Za-z]{6,20})$`)},
	},
	"bilibili": {{[]string{"bilibili.com"}, regexp.MustCompile(`^/video/(BV[0-9A-Za-z]{10}|av\d+)`)}},
	"kuaishou": {{[]string{"kuaishou.com", "gifshow.com"}, regexp.MustCompile(`^/(?:short-video|fw/photo|photo)/([0-9A-Za-z]{6,32})`)}},
	"zhihu": {
		{[]string{"zhihu.com"}, regexp.MustCompile(`^/question/\d+/answer/(\d+)`)},
		{[]string{"zhuanlan.zhihu.com"}, regexp.MustCompile(`^/p/(\d+)`)},
	},
	"wechat_official": {{[]string{"mp.weixin.qq.com"}, regexp.MustCompile(`^/s/([0-9A-Za-z_-]{10,40})`)}},
	"wechat_channels": {{[]string{"channels.weixin.qq.com"}, regexp.MustCompile(`(?:^|&)(?:feedid|id)=([0-9A-Za-z_-]{6,64})`)}},
	"dianping":        {{[]string{"dianping.com"}, regexp.MustCompile(`^/(?:review|note)/(\d+)`)}},
	"autohome":        {{[]string{"autohome.com.cn"}, regexp.MustCompile(`/(\d{5,})(?:-\d+)?\.html$`)}},
	"dongchedi":       {{[]string{"dongchedi.com"}, regexp.MustCompile(`^/(?:article|video|ugc/article)/(\d{6,})`)}},
	"yiche":           {{[]string{"yiche.com", "bitauto.com"}, regexp.MustCompile(`/(\d{5,})(?:\.html)?/?$`)}},
}

// ID returns the platform's id of the post at rawURL, or "".
func ID(platform, rawURL string) string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	for _, r := range rules[platform] {
		if !hostIn(host, r.hosts) {
			continue
		}
		if m := r.re.FindStringSubmatch(u.Path); m != nil {
			return m[1]
		}
		if m := r.re.FindStringSubmatch(u.RawQuery); m != nil {
			return m[1]
		}
	}
	return ""
}

func hostIn(host string, domains []string) bool {
	for _, d := range domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
