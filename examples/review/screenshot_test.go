package main

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestScreenshots makes list.png and case.png of README.md: headless
// Chromium on the command started over a 2,000-person backfill demo. It
// writes files in the source tree, so it runs only when asked:
//
//	REGMO_SCREENSHOTS=1 go test -run TestScreenshots ./examples/review/
func TestScreenshots(t *testing.T) {
	if os.Getenv("REGMO_SCREENSHOTS") == "" {
		t.Skip("writes the README's PNG files; set REGMO_SCREENSHOTS=1 to make them again")
	}
	chrome, err := exec.LookPath("chromium")
	require.NoError(t, err, "needs Debian's chromium")
	bin := t.TempDir()
	s := start(t, bin, smallDemo(t, bin, "2000"))

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.URL), chromedp.WaitVisible("#cases")))
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile("list.png", png, 0o644))

	// A case with a candidate: the first with outcome Review ("Prüfen").
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll("#cases tr")].find(r => r.cells[1] && r.cells[1].textContent === "Prüfen").querySelector("a.case").href`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(href), chromedp.WaitVisible("form")))
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile("case.png", png, 0o644))
}
