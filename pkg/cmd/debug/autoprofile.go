package debug

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// ProfileAuto chooses, per target, the most capable predefined profile the server
// admits (--profile=auto).
const ProfileAuto = "auto"

// autoProfiles are the profiles --profile=auto tries, most capable first. legacy is not
// among them: it is deprecated, and general gives the same or more.
var autoProfiles = []string{ProfileSysadmin, ProfileNetadmin, ProfileGeneral, ProfileBaseline, ProfileRestricted}

// refusal is why the server refused one profile for a target: the policy in short, and
// the server's whole error.
type refusal struct {
	profile string
	reason  string
	err     error
}

// policyViolation finds the policy a Pod Security refusal names, such as
// `violates PodSecurity "baseline:latest"`: the rest of the message lists every field,
// which the notice leaves to the error of a profile given by name.
func policyViolation(msg string) string {
	const prefix = `violates PodSecurity "`
	start := strings.Index(msg, prefix)
	if start < 0 {
		return ""
	}
	end := strings.IndexByte(msg[start+len(prefix):], '"')
	if end < 0 {
		return ""
	}
	return msg[start : start+len(prefix)+end+1]
}

// admissionRefusal tells whether err is the server refusing what a profile makes, as
// opposed to anything else (the caller may not write at all, the pod is gone), which
// another profile would not change, and gives its short reason.
func admissionRefusal(err error) (string, bool) {
	if !apierrors.IsForbidden(err) && !apierrors.IsInvalid(err) {
		return "", false
	}
	msg := err.Error()
	if v := policyViolation(msg); v != "" {
		return v, true
	}
	// RBAC's refusal is Forbidden too, and the same for every profile.
	if strings.Contains(msg, "cannot patch resource") || strings.Contains(msg, "cannot create resource") {
		return "", false
	}
	return msg, true
}

// planAuto plans every target with the first of autoProfiles the server admits for it,
// asked with server dry runs (no write is persisted), targets concurrently. Unless
// --run-as was given, each profile gets the user that lets it work on a non-root pod
// (see autoRunAs).
func (o *DebugOptions) planAuto(ctx context.Context, found []resolved) ([]*plan, []outcome, error) {
	client, err := o.clientset()
	if err != nil {
		return nil, nil, err
	}
	dry := sender{client: client, dryRun: dryRunServer, brief: true}
	base := o.planner()
	plans := make([]*plan, len(found))
	errs := make([]error, len(found))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.concurrency())
	for i, r := range found {
		if r.err != nil {
			errs[i] = r.err
			continue
		}
		g.Go(func() error {
			plans[i], errs[i] = base.chooseProfile(gctx, dry, r)
			if plans[i] != nil {
				plans[i].index = i
			}
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("choosing a profile (nothing sent): %w", err)
	}
	var chosen []*plan
	var failed []outcome
	for i, r := range found {
		if errs[i] != nil {
			failed = append(failed, outcome{index: i, target: r.name, namespace: r.namespace, err: errs[i]})
			continue
		}
		chosen = append(chosen, plans[i])
	}
	return chosen, failed, nil
}

// chooseProfile plans r with each of autoProfiles in turn until the server admits one.
func (pl *planner) chooseProfile(ctx context.Context, dry sender, r resolved) (*plan, error) {
	var refused []refusal
	for _, name := range autoProfiles {
		candidate := *pl
		candidate.profileName = name
		var err error
		if candidate.profile, err = newProfile(name, candidate.keep); err != nil {
			return nil, err
		}
		var why string
		candidate.runAs, why = pl.autoRunAs(name, r)
		p, err := candidate.planTarget(r, nil)
		if err != nil {
			return nil, err
		}
		out := dry.send(ctx, p)
		if out.err == nil {
			p.notices = append(p.notices, autoNotice(name, why, refused))
			return p, nil
		}
		reason, ok := admissionRefusal(out.err)
		if !ok {
			return nil, out.err
		}
		refused = append(refused, refusal{profile: name, reason: reason, err: out.err})
	}
	return nil, noProfileAdmitted(refused)
}

// autoRunAs is the user --profile=auto gives profile on r, and the words that say why;
// --run-as as given when it was. The capabilities of sysadmin, netadmin and general
// take effect for root only: on a pod whose security context makes every container
// non-root, they get --run-as=root. baseline and restricted grant nothing, and the
// restricted profile cannot start as root at all: on a non-root target they get
// --run-as=target, whose files are then theirs.
func (pl *planner) autoRunAs(profile string, r resolved) (runAs, string) {
	if pl.runAs.set() || r.pod == nil {
		return pl.runAs, ""
	}
	switch profile {
	case ProfileSysadmin, ProfileNetadmin, ProfileGeneral:
		if psc := r.pod.Spec.SecurityContext; psc != nil &&
			((psc.RunAsUser != nil && *psc.RunAsUser != 0) || (psc.RunAsNonRoot != nil && *psc.RunAsNonRoot)) {
			root, _ := parseRunAs("root")
			return root, " with --run-as=root (the pod runs as non-root, and the profile's capabilities need root)"
		}
	default:
		if src, err := pl.targetUser(r.pod); err == nil && *src.user != 0 {
			return runAs{fromTarget: true}, " with --run-as=target (the target runs as non-root)"
		}
	}
	return runAs{}, ""
}

// autoNotice says which profile --profile=auto chose, and why not the ones before it.
func autoNotice(chosen, why string, refused []refusal) string {
	notice := fmt.Sprintf("--profile=auto chose %q%s", chosen, why)
	if len(refused) > 0 {
		notice += "; refused by the server: " + refusals(refused)
	}
	return notice + "."
}

// noProfileAdmitted is the error when the server refused every profile. The refusal of
// the last, the least privileged, names every field left that no profile changes, such
// as those of the target's own containers.
func noProfileAdmitted(refused []refusal) error {
	last := refused[len(refused)-1]
	return fmt.Errorf("--profile=auto: the server refuses every predefined profile: %s; %q was refused with: %w",
		refusals(refused), last.profile, last.err)
}

// refusals lists refused profiles with their reasons, in the order tried; profiles
// refused for the same reason one after the other share it.
func refusals(refused []refusal) string {
	var parts []string
	for start := 0; start < len(refused); {
		end := start + 1
		for end < len(refused) && refused[end].reason == refused[start].reason {
			end++
		}
		names := make([]string, 0, end-start)
		for _, r := range refused[start:end] {
			names = append(names, fmt.Sprintf("%q", r.profile))
		}
		list := names[0]
		if len(names) > 1 {
			list = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", list, refused[start].reason))
		start = end
	}
	return strings.Join(parts, "; ")
}
