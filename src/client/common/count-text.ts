/** "0 Comments", "1 Comment", "12 Comments": the same words in the widget and in count.js. */
export function commentCountText(count: number): string {
  return `${count} ${count === 1 ? 'Comment' : 'Comments'}`;
}
