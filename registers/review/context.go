package review

import "context"

type clerkKey struct{}

func withClerk(ctx context.Context, c Clerk) context.Context {
	return context.WithValue(ctx, clerkKey{}, c)
}

func clerkOf(ctx context.Context) Clerk {
	c, _ := ctx.Value(clerkKey{}).(Clerk)
	return c
}
