# Table 3: teacher temperature gamma_T = 0.02, student gamma_S = 0.1.
_base_ = ['./auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py']
model = dict(head=dict(temp_teacher=0.02, temp_student=0.1))
