package postref

import "testing"

func TestID(t *testing.T) {
	cases := []struct{ platform, url, want string }{
		{"xiaohongshu", "https://www.xiaohongshu.com/explore/64a1b2c3d4e5f60718293a4b?xsec_token=x", "64a1b2c3d4e5f60718293a4b"},
		{"xiaohongshu", "https://www.xiaohongshu.com/discovery/item/64a1b2c3d4e5f60718293a4b", "64a1b2c3d4e5f60718293a4b"},
		{"xiaohongshu", "http://xhslink.com/a/AbCdEf", ""},
		{"douyin", "https://www.douyin.com/video/7301234567890123456", "7301234567890123456"},
		{"douyin", "https://www.douyin.com/user/self?modal_id=7301234567890123456", "7301234567890123456"},
		{"weibo", "https://weibo.com/1234567890/NaBcDeFgH", "NaBcDeFgH"},
		{"weibo", "https://m.weibo.cn/status/4951234567890123", "4951234567890123"},
		{"bilibili", "https://www.bilibili.com/video/BV1xx411c7mD/?spm_id_from=333", "BV1xx411c7mD"},
		{"bilibili", "https://www.bilibili.com/video/av170001", "av170001"},
		{"kuaishou", "https://www.kuaishou.com/short-video/3xabcdefgh", "3xabcdefgh"},
		{"zhihu", "https://www.zhihu.com/question/123/answer/456789", "456789"},
		{"zhihu", "https://zhuanlan.zhihu.com/p/98765", "98765"},
		{"wechat_official", "https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp", "AbCdEfGhIjKlMnOp"},
		{"dongchedi", "https://www.dongchedi.com/article/7301234567", "7301234567"},
		{"autohome", "https://club.autohome.com.cn/bbs/thread/abc/105123456-1.html", "105123456"},
		// the platform must match the host: no id from another site
		{"bilibili", "https://www.douyin.com/video/7301234567890123456", ""},
		{"douyin", "https://evil.example/video/7301234567890123456", ""},
		{"other", "https://example.com/p/1", ""},
		{"xiaohongshu", "not a url", ""},
	}
	for _, c := range cases {
		if got := ID(c.platform, c.url); got != c.want {
			t.Errorf("ID(%s, %s) = %q, want %q", c.platform, c.url, got, c.want)
		}
	}
}
